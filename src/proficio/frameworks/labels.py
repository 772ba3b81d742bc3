"""How a person chooses a competency for a mapping rule: its label, and the form field."""

from django.utils.translation import gettext as _

from proficio.frameworks.models import Competency


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


class CompetencyChoiceMixin:
    """A form's `competency` field offering the district's competencies by their label."""

    def choose_from(self, competencies: list[Competency]) -> None:
        self.competencies = {str(competency.uuid): competency for competency in competencies}
        self.fields["competency"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a competency")),
            *((key, competency_label(c)) for key, c in self.competencies.items()),
        ]

    def chosen_competency(self) -> Competency | None:
        chosen = self.cleaned_data.get("competency") or ""  # type: ignore[attr-defined]
        return self.competencies.get(chosen)
