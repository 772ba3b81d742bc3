"""Forms that parse what a person types on the mastery pages before a service sees it."""

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal

from django import forms
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proficio.engine import format_score
from proficio.evidence.api import Evidence, EvidenceSource
from proficio.frameworks.api import Competency
from proficio.lib.forms import MultipleFileField, ServiceErrorsMixin

# Self-assessments are the student's own voice; staff record every other source.
RATED_SOURCES = [
    (value, label) for value, label in EvidenceSource.choices if value != EvidenceSource.SELF
]

# Where a service's field names differ from the form's.
SERVICE_FIELDS = {"observed_at": "observed_on"}


def level_text(value: Decimal) -> str:
    """A scale value as people read it: "2", "2.5" (never "2.00" or "2E+1")."""
    return format_score(float(value))


class LevelRadioSelect(forms.RadioSelect):
    """Radio buttons that also carry each level's colour, for the swatch beside its label."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.colours: Mapping[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["colour"] = self.colours.get(str(value), "")
        return option


class DateInput(forms.DateInput):
    """A native date picker; it always speaks ISO dates, whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _not_after_today(day: date | None) -> date | None:
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(_("Pick a day up to today."))
    return day


class RatingForm(ServiceErrorsMixin, forms.Form):
    """One rating of one student on one competency, as a teacher enters it."""

    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int)
    level = forms.ChoiceField(label=_("Level"), widget=LevelRadioSelect)
    observed_on = forms.DateField(
        label=_("Date observed"),
        help_text=_("When the work was done."),
        widget=DateInput,
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=RATED_SOURCES, initial=EvidenceSource.OBSERVATION
    )
    feedback_present = forms.CharField(
        label=_("What is present"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    feedback_next = forms.CharField(
        label=_("Next step"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    statements = forms.MultipleChoiceField(
        label=_("What the work shows"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The rated stage's evidence statements you saw in this work: the student's next "
            "steps list those not shown yet."
        ),
    )
    attachments = MultipleFileField(
        label=_("Photo, recording or file"),
        required=False,
        help_text=_("What you saw or heard: kept with the rating, for the student and family."),
    )

    def __init__(
        self,
        *args,
        competency: Competency,
        working_stage: int | None,
        keep_stage: int | None = None,
        **kwargs,
    ):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # A retired stage takes no new ratings; a correction may stay on its rating's own.
        stages = [
            stage
            for stage in competency.stages.all()
            if not stage.retired or stage.ordinal == keep_stage
        ]
        self.fields["stage"].choices = [
            (
                stage.ordinal,
                _("Stage %(ordinal)s · %(label)s")
                % {
                    "ordinal": stage.ordinal,
                    "label": stage.label,
                },
            )
            for stage in stages
        ]
        prefetch_related_objects(stages, "evidence_statements")
        self.fields["statements"].choices = [
            (
                _("Stage %(ordinal)s") % {"ordinal": stage.ordinal},
                [(str(s.uuid), s.text) for s in stage.evidence_statements.all()],
            )
            for stage in stages
            if stage.evidence_statements.all()
        ]
        # Completed trajectories default to the top stage: more work there is still evidence.
        self.fields["stage"].initial = working_stage or (stages[-1].ordinal if stages else None)
        levels = list(competency.effective_scale.levels.all())
        self.fields["level"].choices = [
            (level_text(level.value), f"{level_text(level.value)} {level.label}")
            for level in levels
        ]
        self.fields["level"].widget.colours = {
            level_text(level.value): level.colour for level in levels
        }
        today = timezone.localdate()
        self.fields["observed_on"].initial = today
        self.fields["observed_on"].widget.attrs["max"] = today.isoformat()

    def clean_observed_on(self) -> date | None:
        return _not_after_today(self.cleaned_data.get("observed_on"))

    def observed_at(self) -> datetime:
        """Noon of the observed day in the current time zone, or now if noon is still ahead."""
        noon = timezone.make_aware(datetime.combine(self.cleaned_data["observed_on"], time(12)))
        return min(noon, timezone.now())

    def rating(self) -> dict[str, object]:
        """The rating's fields as `evidence_record` takes them, from a valid form."""
        data = self.cleaned_data
        return {
            "stage": data["stage"],
            "level": data["level"],
            "observed_at": self.observed_at(),
            "source": data["source"],
            "feedback_present": data["feedback_present"],
            "feedback_next": data["feedback_next"],
            "files": data.get("attachments") or [],
            "statements": data.get("statements") or [],
        }

    def form_field(self, service_field: str) -> str:
        return SERVICE_FIELDS.get(service_field, service_field)


REASON_MAX = 2_000


class CorrectionForm(RatingForm):
    """A corrected rating that replaces an earlier one, and why; it starts from the original."""

    reason = forms.CharField(
        label=_("Why are you correcting it?"),
        help_text=_(
            "Kept with the correction in the student's history, e.g. “misread the rubric”."
        ),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, original: Evidence, **kwargs):
        super().__init__(
            *args,
            competency=original.competency,
            working_stage=None,
            keep_stage=original.stage.ordinal,
            **kwargs,
        )
        del self.fields["attachments"]  # a correction rates again; the files stay with the first
        self.initial.update(
            {
                "stage": original.stage.ordinal,
                "level": level_text(original.level),
                "observed_on": timezone.localdate(original.observed_at),
                "source": original.source,
                "feedback_present": original.feedback_present,
                "feedback_next": original.feedback_next,
                "statements": [
                    str(uuid)
                    for uuid in original.statements_shown.values_list("statement__uuid", flat=True)
                ],
            }
        )


class WithdrawalForm(ServiceErrorsMixin, forms.Form):
    """Withdrawing a rating recorded in error, and why."""

    reason = forms.CharField(
        label=_("Why was it recorded in error?"),
        help_text=_("Kept in the student's history, e.g. “rated the wrong student”."),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AsOfForm(forms.Form):
    """The day to show mastery as it stood then; empty means today."""

    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_as_of(self) -> date | None:
        return _not_after_today(self.cleaned_data.get("as_of"))
