"""The reports' forms: the period and the day a report is read as of; the transcript format."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def period(self) -> dict:
        """since and as_of, each None when not given or not a day."""
        if not self.is_valid():
            return {"since": None, "as_of": None}
        return {"since": self.cleaned_data["since"], "as_of": self.cleaned_data["as_of"]}


class TranscriptFormatForm(forms.Form):
    """The district's transcript format: two choices, each on or off."""

    appendix = forms.BooleanField(label=_("Include the appendix of evidence"), required=False)
    typical_stage = forms.BooleanField(
        label=_("Show the stage typical for the student's age-grade"), required=False
    )
