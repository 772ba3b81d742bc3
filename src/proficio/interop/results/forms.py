"""The mapping page's form: one rule, from an assessment's band to a competency's stage."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proficio.frameworks.api import Competency, CompetencyChoiceMixin
from proficio.lib.forms import ServiceErrorsMixin


class RuleForm(CompetencyChoiceMixin, ServiceErrorsMixin, forms.Form):
    """Everything optional here: the service says what is missing, every problem at once."""

    assessment = forms.CharField(
        label=_("Assessment"),
        max_length=200,
        required=False,
        help_text=_("As the results file names it, e.g. “State Math Grade 5”."),
    )
    band = forms.CharField(
        label=_("Band"),
        max_length=100,
        required=False,
        help_text=_("As the file names it, e.g. “Proficient” or “Level 3”."),
    )
    competency = forms.ChoiceField(label=_("Evidence of the competency"), required=False)
    stage = forms.IntegerField(label=_("At stage"), min_value=1, max_value=999, required=False)
    level = forms.DecimalField(
        label=_("Rated at level"),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=_("A value on the competency's scale."),
    )

    def __init__(self, *args, competencies: list[Competency], **kwargs):
        super().__init__(*args, **kwargs)
        self.choose_from(competencies)
