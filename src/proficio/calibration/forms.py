"""The calibration app's forms: proposing an exemplar, confirming it, a consensus, promoting
a piece, and the district's settings. A session's own ratings and pieces are read from the
request in views (one field per piece)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from proficio.calibration.models import DEFAULT_DRIFT_MINIMUM, DEFAULT_DRIFT_THRESHOLD, ConsentBasis
from proficio.frameworks.api import Competency
from proficio.lib.forms import ServiceErrorsMixin

TEXTAREA = {"rows": 3}


class ExemplarForm(ServiceErrorsMixin, forms.Form):
    competency = forms.ChoiceField(label=_("Competency"))
    stage = forms.IntegerField(label=_("Stage"), min_value=1)
    level = forms.DecimalField(
        label=_("Level"), help_text=_("The level of the stage's scale the work shows.")
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        help_text=_("What the work is, never whose: “A letter to the council”."),
    )
    text = forms.CharField(
        label=_("The work's text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Paste the text, or attach a file below."),
    )
    upload = forms.FileField(label=_("A file of the work"), required=False)
    student = forms.CharField(
        label=_("Whose work it is (username)"),
        required=False,
        max_length=150,
        help_text=_("So Proficio can take their names out; never shown with the exemplar."),
    )
    annotation = forms.CharField(
        label=_("Why it sits at this level"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Which evidence statements it shows, and how."),
    )
    missing = forms.CharField(
        label=_("What is missing"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("What the next level would show."),
    )
    consent = forms.ChoiceField(
        label=_("Consent"), choices=ConsentBasis.choices, widget=forms.RadioSelect
    )
    consent_note = forms.CharField(
        label=_("Consent note"),
        required=False,
        max_length=500,
        help_text=_("Who agreed and when, or the policy's name."),
    )

    def __init__(self, *args, competencies: list[Competency], from_revision: bool, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.competencies = {str(c.uuid): c for c in competencies}
        self.fields["competency"].choices = [
            (str(c.uuid), f"{c.code} · {c.title}") for c in competencies
        ]
        if from_revision:
            del self.fields["text"]
            del self.fields["upload"]
            del self.fields["student"]

    def exemplar(self) -> dict[str, object]:
        data = self.cleaned_data
        found = {
            "competency": self.competencies[data["competency"]],
            "stage": data["stage"],
            "level": data["level"],
            "title": data["title"],
            "annotation": data["annotation"],
            "missing": data["missing"],
            "consent": data["consent"],
            "consent_note": data["consent_note"],
        }
        if "text" in self.fields:
            found.update(text=data["text"], upload=data["upload"])
        return found


class ConfirmForm(ServiceErrorsMixin, forms.Form):
    anonymised = forms.BooleanField(
        label=_(
            "I have read the text and opened each file: no name or identifier of the student "
            "remains."
        ),
        required=False,
    )


class ConsensusForm(ServiceErrorsMixin, forms.Form):
    level = forms.DecimalField(label=_("Consensus level"))
    rationale = forms.CharField(
        label=_("Why the group agreed"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PromoteForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=300,
        help_text=_("What the work is, never whose. Left empty, the piece's title."),
    )
    annotation = forms.CharField(
        label=_("Why it sits at this level"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Left empty, the consensus rationale."),
    )
    missing = forms.CharField(
        label=_("What is missing"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent = forms.ChoiceField(
        label=_("Consent"), choices=ConsentBasis.choices, widget=forms.RadioSelect
    )
    consent_note = forms.CharField(label=_("Consent note"), required=False, max_length=500)


class SettingsForm(ServiceErrorsMixin, forms.Form):
    drift_threshold = forms.DecimalField(
        label=_("Flag a teacher whose mean difference from consensus passes (levels)"),
        min_value=Decimal("0.1"),
        max_value=Decimal(3),
        decimal_places=2,
        initial=DEFAULT_DRIFT_THRESHOLD,
    )
    drift_minimum = forms.IntegerField(
        label=_("over at least this many ratings"),
        min_value=1,
        max_value=50,
        initial=DEFAULT_DRIFT_MINIMUM,
    )
    calibrate_first = forms.BooleanField(
        label=_(
            "Calibrate before you rate: a teacher new to a competency first rates its exemplars"
        ),
        required=False,
    )
