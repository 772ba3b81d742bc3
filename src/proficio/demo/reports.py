"""The demo's transcripts: mastery credits for each writing competency's stages, as a
district would name them ("Argument: stage 3"), and a transcript issued for the login
student by the district admin, so its verification code can be tried."""

from collections.abc import Mapping

from proficio.frameworks.api import Competency
from proficio.people.api import Person
from proficio.reports.api import credit_add, transcript_issue

CREDITED = ("W1", "W2", "W3")
FIRST_CREDITED_STAGE = 2


def load_reports(*, admin: Person, competencies: Mapping[str, Competency], login: Person) -> str:
    """The credits and the login student's issued transcript; its verification code."""
    for code in CREDITED:
        competency = competencies[code]
        for stage in competency.stages.filter(ordinal__gte=FIRST_CREDITED_STAGE):
            credit_add(
                actor=admin,
                district=admin.district,
                stage=stage,
                title=f"{competency.title}: stage {stage.ordinal}",
            )
    return transcript_issue(actor=admin, student=login).code
