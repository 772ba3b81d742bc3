"""Deep linking: what a teacher may place in their LMS course (the tasks they can see, and
the competencies of the district's frameworks), and the signed answer that places it.

A placed task carries a line item (the LMS makes a gradebook column for it) and both carry
their Proficio id as a custom parameter, which every launch of the link brings back."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from pylti1p3.message_launch import MessageLaunch

from proficio.frameworks.api import district_competencies_to_choose
from proficio.lib.errors import InvalidInput
from proficio.lti.launches import CUSTOM_COMPETENCY, CUSTOM_TASK, placement_sign
from proficio.people.api import Person
from proficio.work.api import task_list_visible_to


@dataclass(frozen=True)
class Choice:
    key: str  # "task:<uuid>" or "competency:<uuid>"
    kind: str
    title: str
    detail: str


def choices_for(teacher: Person) -> list[Choice]:
    tasks = [
        Choice(
            key=f"task:{task.uuid}",
            kind="task",
            title=task.title,
            detail=", ".join(
                f"{a.stage.competency.code} {a.stage.label}" for a in task.alignments.all()
            ),
        )
        for task in task_list_visible_to(teacher)[:200]
    ]
    competencies = (
        [
            Choice(
                key=f"competency:{competency.uuid}",
                kind="competency",
                title=f"{competency.code} {competency.title}",
                detail=competency.framework.title,
            )
            for competency in district_competencies_to_choose(teacher.district_id)
        ]
        if teacher.district_id
        else []
    )
    return tasks + competencies


def _resource(choice: Choice, launch_url: str, teacher: Person) -> DeepLinkResource:
    kind, _sep, uuid = choice.key.partition(":")
    resource = DeepLinkResource().set_url(launch_url).set_title(choice.title[:255])
    # Signed: a custom parameter can be edited in the LMS, and a placement decides whose
    # ratings go back to the course.
    placed = placement_sign(uuid, teacher)
    if kind == "task":
        resource.set_custom_params({CUSTOM_TASK: placed})
        resource.set_lineitem(
            LineItem()
            .set_label(choice.title[:255])
            .set_score_maximum(float(Decimal(100)))
            .set_resource_id(f"proficio:task:{uuid}")
        )
    else:
        resource.set_custom_params({CUSTOM_COMPETENCY: placed})
    return resource


def respond(
    message_launch: MessageLaunch,
    *,
    teacher: Person,
    choices: list[Choice],
    chosen: list[str],
    launch_url: str,
) -> tuple[str, str]:
    """The signed deep-linking answer (a JWT) for the chosen items, and where it goes."""
    by_key = {choice.key: choice for choice in choices}
    picked = [by_key[key] for key in dict.fromkeys(chosen) if key in by_key]
    if not picked:
        raise InvalidInput({"item": _("Pick a task or a competency to place.")})
    settings = message_launch.get_launch_data()[
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    ]
    if not settings.get("accept_multiple", True):
        picked = picked[:1]
    deep_link = message_launch.get_deep_link()
    signed = deep_link.get_response_jwt(
        [_resource(choice, launch_url, teacher) for choice in picked]
    )
    return signed, settings["deep_link_return_url"]
