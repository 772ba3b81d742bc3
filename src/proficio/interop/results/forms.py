"""The mapping page's form: one rule, from an assessment's band to a competency's stage."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proficio.frameworks.api import Competency
from proficio.lib.forms import ServiceErrorsMixin


def competency_label(competency: Competency) -> str:
    """ "WR · W1 Writing arguments (stages 1–3; levels 1, 2, 3, 4)": what to choose by."""
    ordinals = [stage.ordinal for stage in competency.stages.all() if not stage.retired]
    stages = f"{min(ordinals)}–{max(ordinals)}" if ordinals else "–"
    levels = ", ".join(
        str(level.value.normalize()) for level in competency.effective_scale.levels.all()
    )
    return _("%(framework)s · %(code)s %(title)s (stages %(stages)s; levels %(levels)s)") % {
        "framework": competency.framework.code,
        "code": competency.code,
        "title": competency.title,
        "stages": stages,
        "levels": levels,
    }


class RuleForm(ServiceErrorsMixin, forms.Form):
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
        self.competencies = {str(competency.uuid): competency for competency in competencies}
        self.fields["competency"].choices = [
            ("", _("Choose a competency")),
            *((key, competency_label(c)) for key, c in self.competencies.items()),
        ]

    def chosen_competency(self) -> Competency | None:
        return self.competencies.get(self.cleaned_data.get("competency") or "")
