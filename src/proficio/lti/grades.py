"""Assignment and Grade Services: a rating of a placed task goes back to the LMS.

Where the platform lets the tool manage line items, each competency the task rates gets a
line item of its own in the course (its label the task and competency, its tag the task and
the competency's CASE identifier) and receives the level on the competency's scale. Where it
lets the tool only post scores, the link's own line item receives the task's overall score:
the ratings' mean share of their scales, in percent (ADR 0046).

The work app signals a review once it is committed; the task worker sends the scores, so a
slow LMS never holds a teacher's review."""

from dataclasses import dataclass
from decimal import Decimal

import requests
from django_tasks import task
from lti_tool.lti_core.constants import AgsScope
from lti_tool.models import LtiContext, LtiLineItem, LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from proficio.audit import api as audit
from proficio.frameworks.api import competency_case_identifiers
from proficio.lib.outbound import OutboundSession
from proficio.lti.models import Placement, ScoreSent, SectionLink
from proficio.people.api import Person, sections_enrolled_in
from proficio.work.api import ReviewResults, review_results


@dataclass(frozen=True)
class Score:
    lineitem: LineItem  # with its id (URL) once known
    label: str
    given: Decimal
    maximum: Decimal
    comment: str


def review_heard(sender, review_id: int, task_id: int, **kwargs) -> None:
    """The work app recorded a review: send its scores in the background, if the task is
    placed in any LMS course (most tasks are not: no task is queued for them)."""
    if Placement.objects.filter(task_id=task_id).exists():
        scores_send_in_background.enqueue(review_id)


@task()
def scores_send_in_background(review_id: int) -> int:
    return scores_send(review_id=review_id)


def _service(context: LtiContext, placement: Placement) -> AssignmentsGradesService:
    scopes = [
        scope
        for scope, allowed in (
            (AgsScope.MANAGE_LINEITEMS, context.can_manage_lineitems),
            (AgsScope.QUERY_LINEITEMS, context.can_query_lineitems),
            (AgsScope.PUBLISH_SCORES, context.can_publish_scores),
        )
        if allowed
    ]
    registration = context.deployment.registration.to_registration()
    connector = ServiceConnector(registration, requests_session=OutboundSession())
    return AssignmentsGradesService(
        connector,
        {
            "scope": [str(scope.value) for scope in scopes],
            "lineitems": context.lineitems_url,
            "lineitem": placement.lineitem_url,
        },
    )


def _competency_lineitem(
    service: AssignmentsGradesService, placement: Placement, label: str, tag: str, top: Decimal
) -> LineItem:
    """The course's line item for one competency of the task: the one recorded, else the
    one the LMS has under the tag, else a new one."""
    context = placement.resource_link.context
    known = LtiLineItem.objects.filter(context=context, tag=tag).first()
    if known is not None:
        return LineItem({"id": known.url, "label": known.label, "scoreMaximum": top})
    wanted = (
        LineItem()
        .set_label(label[:255])
        .set_tag(tag)
        .set_score_maximum(float(top))
        .set_resource_id(f"proficio:task:{placement.task.uuid}")
        .set_resource_link_id(placement.resource_link.id_on_platform)
    )
    found = service.find_or_create_lineitem(wanted, find_by="tag")
    LtiLineItem.objects.update_or_create(
        url=found.get_id(),
        defaults={
            "context": context,
            "maximum_score": float(top),
            "label": label[:255],
            "tag": tag,
            "resource_id": f"proficio:task:{placement.task.uuid}",
            "resource_link": placement.resource_link,
        },
    )
    return found


def _scores(
    results: ReviewResults, placement: Placement, service: AssignmentsGradesService
) -> list[Score]:
    """The link's own column gets the task's overall score (its column exists whatever the
    scopes: deep linking made it); where the tool may add columns, each rated competency
    stage gets one of its own with its level."""
    context = placement.resource_link.context
    scores = []
    if placement.lineitem_url:
        scores.append(
            Score(
                LineItem({"id": placement.lineitem_url}),
                results.task_title,
                (results.overall * 100).quantize(Decimal("0.01")),
                Decimal(100),
                ", ".join(f"{r.competency_title}: {r.level}" for r in results.ratings),
            )
        )
    if context.can_manage_lineitems and context.lineitems_url:
        case_ids = competency_case_identifiers(r.competency_id for r in results.ratings)
        for rating in results.ratings:
            objective = case_ids.get(rating.competency_id, str(rating.competency_uuid))
            label = f"{results.task_title}: {rating.competency_title}"
            tag = f"proficio:{results.task_uuid}:{objective}:{rating.stage_ordinal}"
            lineitem = _competency_lineitem(service, placement, label, tag, rating.scale_top)
            scores.append(
                Score(lineitem, label, rating.level, rating.scale_top, f"Stage {rating.stage}")
            )
    return scores


def _failure(failed: Exception) -> str:
    """Why a score was not sent, without what the platform answered (its body could be
    anything, and it is shown on a page)."""
    if isinstance(failed, LtiServiceException):
        return f"The LMS answered {failed.response.status_code}."
    if isinstance(failed, requests.RequestException):
        return f"The LMS did not answer: {failed.__class__.__name__}."
    return f"The score could not be sent: {failed.__class__.__name__}."


def _grade(score: Score, user_id: str, results: ReviewResults) -> Grade:
    return (
        Grade()
        .set_score_given(float(score.given))
        .set_score_maximum(float(score.maximum))
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(results.reviewed_at.isoformat())
        .set_user_id(user_id)
        .set_comment(score.comment[:1000])
    )


def _in_section(context: LtiContext, student: Person) -> bool:
    """The course stands for a section the student is in: Proficio's own roster decides
    whose ratings a course receives, not the LMS's alone."""
    link = SectionLink.objects.filter(context=context).first()
    return link is not None and sections_enrolled_in(student).filter(pk=link.section_id).exists()


def scores_send(*, review_id: int) -> int:
    """Send a review's ratings to every LMS course where the task is placed and the student
    is a member; each score sent, or the reason it was not, is recorded. The count sent."""
    results = review_results(review_id)
    if results is None:
        return 0
    placements = Placement.objects.filter(
        task_id=results.task_id,
        resource_link__context__deployment__registration__is_active=True,
        resource_link__context__can_publish_scores=True,
    ).select_related(
        "task",
        "resource_link__context__deployment__registration__proficio_platform",
    )
    sent = 0
    for placement in placements:
        context = placement.resource_link.context
        registration = context.deployment.registration
        lti_user = LtiUser.objects.filter(
            registration=registration,
            auth_user_id=results.student_id,
            memberships__context=context,
        ).first()
        if lti_user is None or not _in_section(context, lti_user.auth_user):
            continue  # not a student of this course, or of the section it stands for
        platform = registration.proficio_platform
        scores: list[Score] = []
        try:
            service = _service(context, placement)
            for score in _scores(results, placement, service):
                service.put_grade(_grade(score, lti_user.sub, results), score.lineitem)
                scores.append(score)
        except Exception as failed:  # any failure is this course's alone: record it, go on
            ScoreSent.objects.create(
                platform=platform,
                student_id=results.student_id,
                review_id=review_id,
                lineitem_url=(placement.lineitem_url or context.lineitems_url)[:1000],
                label=results.task_title[:600],
                score_given=0,
                score_maximum=0,
                error=_failure(failed),
            )
        ScoreSent.objects.bulk_create(
            ScoreSent(
                platform=platform,
                student_id=results.student_id,
                review_id=review_id,
                lineitem_url=score.lineitem.get_id() or "",
                label=score.label[:600],
                score_given=score.given,
                score_maximum=score.maximum,
            )
            for score in scores
        )
        if scores:
            audit.record(
                actor=None,
                action=audit.LTI_SCORES_SENT,
                student=lti_user.auth_user,
                target=placement.task,
                data={
                    "lms": registration.name,
                    "scores": [f"{s.label}: {s.given}/{s.maximum}" for s in scores],
                },
            )
        sent += len(scores)
    return sent
