"""The learning tools pages' forms: a name for new credentials, a rule of the mapping."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proficio.frameworks.api import Competency, CompetencyChoiceMixin
from proficio.lib.forms import ServiceErrorsMixin
from proficio.lrs.models import ActivityRule


class CredentialForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Tool"),
        max_length=200,
        help_text=_("The app, game or course that will send statements, e.g. Fraction Quest."),
    )
    account_home_page = forms.CharField(
        label=_("Home page of its accounts (optional)"),
        required=False,
        max_length=500,
        help_text=_(
            "When the tool names students by an xAPI account whose name is their Proficio "
            "username or roster sourcedId: the account's homePage, e.g. https://sso.example.org. "
            "Statements by email need nothing here."
        ),
    )


class ActivityRuleForm(CompetencyChoiceMixin, ServiceErrorsMixin, forms.Form):
    """One rule; everything optional here: the service says what is missing, all at once."""

    activity = forms.CharField(
        label=_("Activity id"),
        required=False,
        help_text=_(
            "As the tool sends it, e.g. https://fractions.example.org/q/ for all its questions."
        ),
    )
    match = forms.ChoiceField(
        label=_("Match"),
        choices=[
            (ActivityRule.PREFIX, _("every activity whose id starts so")),
            (ActivityRule.EXACT, _("this activity alone")),
        ],
    )
    verb = forms.CharField(
        label=_("Verb (optional)"),
        required=False,
        help_text=_(
            "Only statements with this verb, e.g. http://adlnet.gov/expapi/verbs/answered."
        ),
    )
    competency = forms.ChoiceField(label=_("Evidence of the competency"), required=False)
    stage = forms.IntegerField(label=_("At stage"), min_value=1, max_value=999, required=False)
    met_level = forms.DecimalField(
        label=_("Level when met"), max_digits=6, decimal_places=2, required=False
    )
    not_met_level = forms.DecimalField(
        label=_("Level when not met"),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=_("Empty: a result below the mastery score records nothing."),
    )
    mastery_score = forms.DecimalField(
        label=_("Mastery score"),
        max_digits=4,
        decimal_places=3,
        required=False,
        initial="0.8",
        help_text=_("The scaled score that counts as met (0–1); a cmi5 course's own wins."),
    )

    def __init__(self, *args, competencies: list[Competency], **kwargs):
        super().__init__(*args, **kwargs)
        self.choose_from(competencies)
