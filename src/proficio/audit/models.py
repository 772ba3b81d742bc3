"""One table: the audit trail. Rows are only ever added; `prune` alone removes old ones.

The people an entry names are kept as foreign keys without a database constraint, and their
names as they were then: an entry outlives the deactivation, or even the deletion, of anyone
it names, and a deletion never rewrites it.
"""

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditIsAppendOnly(Exception):
    """An audit entry was about to be changed or deleted; only `prune` removes entries."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditIsAppendOnly("Audit entries are never changed.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditIsAppendOnly("Audit entries are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditIsAppendOnly("Audit entries are removed only by the retention prune.")

    def _pseudonymise(self, **identity: Any) -> int:
        """The one way to change entries besides the prune: what identifies an erased person
        (names, the identifiers in `data`, a relative as target), which
        `services.names_pseudonymise` writes over; nothing else of an entry ever changes."""
        return super().update(**identity)

    def _prune(self) -> int:
        """The one way to delete entries; `services.prune` calls it."""
        deleted, _per_model = super().delete()
        return deleted


class AuditEntry(models.Model):
    """Someone (or the system) did `action`, concerning a student's record, at a moment."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # None when the system or the command line acted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(max_length=300, blank=True)
    # A short dotted name: "evidence.recorded", "student.viewed".
    action = models.CharField(max_length=100, db_index=True)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    student_name = models.CharField(max_length=300, blank=True)
    # Who may read the entry: the admins of this district.
    district = models.ForeignKey(
        "people.District",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the action was done to, e.g. ("evidence", "<uuid>").
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=100, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["district", "-at"], name="audit_district_at")]

    def __str__(self) -> str:
        who = self.actor_name or _("System")
        about = f" — {self.student_name}" if self.student_name else ""
        return f"{self.at:%Y-%m-%d %H:%M} {who}: {self.action}{about}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise AuditIsAppendOnly("Audit entries are never changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditIsAppendOnly("Audit entries are removed only by the retention prune.")
