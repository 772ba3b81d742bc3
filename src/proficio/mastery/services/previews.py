"""Policy previews too large to work out inside the request: queued to the task worker, which
reports its progress on a PolicyPreviewRun that the page polls (nothing else is written)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from proficio.mastery.data import PolicyProposal, Scope
from proficio.mastery.models import PolicyPreviewRun, PreviewState
from proficio.mastery.policies import proposed_policy
from proficio.mastery.preview import (
    preview,
    proposal_from_json,
    proposal_json,
    scope_has_more_rows_than,
)
from proficio.mastery.selectors import PolicyPreview, policy_preview
from proficio.people.api import Person

# Old previews go when a new one is asked for: the page needs one only while it is open.
KEPT_FOR = timedelta(days=1)


def policy_preview_start(
    *, actor: Person, draft: PolicyProposal
) -> PolicyPreview | PolicyPreviewRun:
    """The preview of a draft at once when its scope is small; above
    PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS evidence rows, a queued PolicyPreviewRun and its
    task, in one transaction (ADR 0012), so the page answers without waiting for it.

    Checks like policy_preview: NotVisible outside the actor's reach, InvalidInput per field.
    """
    proposed = proposed_policy(actor=actor, draft=draft)
    limit = settings.PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS
    if not scope_has_more_rows_than(Scope.governed_by(proposed), limit):
        return policy_preview(user=actor, draft=draft)
    # Loaded here, not at the top: the tasks module imports the services.
    from proficio.mastery.tasks import policy_preview_in_background

    with transaction.atomic():
        PolicyPreviewRun.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
        run = PolicyPreviewRun.objects.create(
            requested_by=actor,
            district_id=proposed.district_id,
            school_id=proposed.school_id,
            proposal=proposal_json(proposed),
        )
        policy_preview_in_background.enqueue(run.pk)
    run.refresh_from_db()
    return run


def policy_preview_execute(*, preview_id: int) -> PolicyPreviewRun | None:
    """Work out a queued preview, reporting after each chunk of students; None when it was
    already taken or has waited so long that the page shows it stopped."""
    now = timezone.now()
    fresh = now - timedelta(seconds=settings.PROFICIO_POLICY_PREVIEW_TIMEOUT_SECONDS)
    queued = PolicyPreviewRun.objects.filter(
        pk=preview_id, state=PreviewState.QUEUED, created_at__gte=fresh
    )
    if not queued.update(state=PreviewState.RUNNING, heartbeat_at=now):
        return None
    run = PolicyPreviewRun.objects.get(pk=preview_id)
    this_run = PolicyPreviewRun.objects.filter(pk=preview_id)

    def progress(done: int, total: int) -> None:
        this_run.update(students_done=done, students_total=total, heartbeat_at=timezone.now())

    proposed = proposal_from_json(run.proposal)
    try:
        result = preview(scope=Scope.governed_by(proposed), proposed=proposed, progress=progress)
    except BaseException:
        this_run.update(state=PreviewState.FAILED, finished_at=timezone.now())
        raise
    this_run.update(
        state=PreviewState.DONE,
        result=result.as_json(),
        students_done=F("students_total"),
        finished_at=timezone.now(),
    )
    return this_run.get()
