"""A student's trajectory in one competency over time: the stage they had reached on each
day it could change, the ratings behind it, and the day each stage now mastered was reached
(under the policy versions in force on each day). The student page draws it on request, the
progress report and the transcript read it for each competency."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from proficio.evidence.api import Evidence, EvidenceSource, evidence_standing
from proficio.frameworks.api import Competency, Stage
from proficio.mastery.selectors.timeline import mastery_over_time
from proficio.people.api import Person


@dataclass(frozen=True)
class Step:
    """From `day` on: the highest stage mastered (0 for none) and the stage worked at."""

    day: date
    reached: int
    working: int | None


@dataclass(frozen=True)
class StageReached:
    stage: Stage
    on: date
    # The ratings of that stage up to the day it was reached, newest first.
    evidence: list[Evidence]


@dataclass(frozen=True)
class Trajectory:
    competency: Competency
    steps: list[Step]
    ratings: list[Evidence]
    reached: list[StageReached]
    # (policy uuid, version) of every policy version the days were worked out under.
    policies: list[tuple[str, int]]

    @property
    def stage_count(self) -> int:
        return len(self.competency.stages.all())

    @property
    def now(self) -> Step | None:
        return self.steps[-1] if self.steps else None


def trajectory_of(*, student: Person, competency: Competency, until: date) -> Trajectory:
    """The trajectory up to `until` of a student the caller may see."""
    days = mastery_over_time(student=student, competency=competency, until=until)
    steps: list[Step] = []
    reached_on: dict[int, date] = {}
    policies: dict[str, int] = {}
    for moment in days:
        mastered = {result.stage.ordinal for result in moment.mastery.stages if result.mastered}
        for ordinal in mastered:
            reached_on.setdefault(ordinal, moment.day)
        for ordinal in set(reached_on) - mastered:
            del reached_on[ordinal]  # lost again (a later rating): reached anew later
        steps.append(Step(moment.day, max(mastered, default=0), moment.mastery.working_stage))
        policies[str(moment.mastery.policy.uuid)] = moment.mastery.policy.version
    ratings = list(
        evidence_standing()
        .filter(student=student, competency=competency, observed_at__date__lte=until)
        .exclude(source=EvidenceSource.SELF)
        .select_related("stage")
        .order_by("observed_at", "pk")
    )
    stages = {stage.ordinal: stage for stage in competency.stages.all()}
    reached = [
        StageReached(
            stage=stages[ordinal],
            on=day,
            evidence=[
                rating
                for rating in reversed(ratings)
                if rating.stage.ordinal == ordinal and timezone.localdate(rating.observed_at) <= day
            ][:3],
        )
        for ordinal, day in sorted(reached_on.items())
        if ordinal in stages
    ]
    return Trajectory(
        competency=competency,
        steps=steps,
        ratings=ratings,
        reached=reached,
        policies=sorted(policies.items()),
    )
