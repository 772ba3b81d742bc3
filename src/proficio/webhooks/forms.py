"""The webhooks page's form: an endpoint and the events it hears."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proficio.lib.events import ADVANCEMENT_DECIDED, EVIDENCE_RECORDED, STAGE_MASTERED
from proficio.lib.forms import ServiceErrorsMixin

EVENT_CHOICES = [
    (EVIDENCE_RECORDED, _("A rating is recorded (evidence.recorded)")),
    (STAGE_MASTERED, _("A student masters a stage (stage.mastered)")),
    (ADVANCEMENT_DECIDED, _("An advancement is decided (advancement.decided)")),
]


class SubscriptionForm(ServiceErrorsMixin, forms.Form):
    description = forms.CharField(
        label=_("What it is"),
        max_length=200,
        help_text=_("e.g. The SIS's mastery feed"),
    )
    url = forms.CharField(
        label=_("Endpoint"),
        max_length=500,
        help_text=_("An https:// address of the district's own system."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EVENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
