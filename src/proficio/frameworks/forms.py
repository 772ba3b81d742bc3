"""Writing a competency and its trajectory in the pages: the competency, then a row a stage."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from proficio.frameworks.models import CompetencyKind
from proficio.lib.forms import ServiceErrorsMixin

GRADE_CHOICES = [
    ("", _("—")),
    ("-1", _("Pre-kindergarten")),
    ("0", _("Kindergarten")),
    *((str(grade), _("Grade %(grade)s") % {"grade": grade}) for grade in range(1, 13)),
]
STAGE_ROWS = 6  # the trajectories the source documents draw have about six stages


class CompetencyForm(ServiceErrorsMixin, forms.Form):
    # Not required here: the service tells a missing code or title with every other problem.
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Short, such as W4."), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CompetencyKind.choices, initial=CompetencyKind.ACADEMIC
    )
    statement = forms.CharField(
        label=_("What it asks of students"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class FrameworkForm(ServiceErrorsMixin, forms.Form):
    """A new framework: its title, a code if the district wants its own, the scale it rates on."""

    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    code = forms.CharField(
        label=_("Code"),
        max_length=50,
        required=False,
        help_text=_("Optional: left empty, one is made from the title."),
    )
    description = forms.CharField(
        label=_("What it is for"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    scale = forms.ModelChoiceField(
        label=_("Rated on"), queryset=None, empty_label=None, required=False
    )

    def __init__(self, *args, scales, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scale"].queryset = scales


class ScaleForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)


class LevelForm(forms.Form):
    """One level of a new scale; a row left empty is no level."""

    value = forms.DecimalField(label=_("Value"), max_digits=6, decimal_places=2, required=False)
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        required=False,
        initial="#2b6e4a",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    is_mastery = forms.BooleanField(label=_("Counts as mastery"), required=False)
    description = forms.CharField(label=_("What work at this level shows"), required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return data.get("value") is None and not data.get("label")


LevelFormSet = formset_factory(LevelForm, extra=2, max_num=12)


class StageForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=200, required=False)
    typical_grade = forms.TypedChoiceField(
        label=_("Typical for"),
        choices=GRADE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    descriptor = forms.CharField(
        label=_("What work at this stage shows"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    statements = forms.CharField(
        label=_("Evidence statements, one a line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("“I can …” sentences students and teachers look for in the work."),
    )

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return (
            not any((data.get("label"), data.get("descriptor"), data.get("statements")))
            and data.get("typical_grade") is None
        )


StageFormSet = formset_factory(StageForm, extra=STAGE_ROWS, max_num=20)


class StageRevisionForm(StageForm):
    """A stage of a trajectory being revised: an existing one (its `stage`) or a new one."""

    stage = forms.UUIDField(required=False, widget=forms.HiddenInput)
    retired = forms.BooleanField(
        label=_("Retired: keep its evidence, take no new ratings"), required=False
    )

    def is_blank(self) -> bool:
        return self.cleaned_data.get("stage") is None and super().is_blank()


def stage_revision_formset(competency, data=None):
    """A row a stage of `competency`, filled in, then two blank rows for new stages."""
    initial = [
        {
            "stage": stage.uuid,
            "label": stage.label,
            "typical_grade": stage.typical_grade,
            "descriptor": stage.descriptor,
            "statements": "\n".join(s.text for s in stage.evidence_statements.all()),
            "retired": stage.retired,
        }
        for stage in competency.stages.prefetch_related("evidence_statements")
    ]
    formset = formset_factory(StageRevisionForm, extra=2, max_num=len(initial) + 20)
    return formset(data, initial=initial, prefix="stage")


class CourseForm(ServiceErrorsMixin, forms.Form):
    """A course: its code and title, the course that follows, and a target stage (or none)
    for each competency of the district, grouped by framework on the page."""

    code = forms.CharField(label=_("Code"), max_length=50, help_text=_("Short, such as WS5."))
    title = forms.CharField(label=_("Title"), max_length=300)
    next_course = forms.ChoiceField(label=_("The course that follows"), required=False)

    def __init__(self, *args, competencies, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.competencies = competencies
        self.fields["next_course"].choices = [("", _("None: the last of its sequence"))] + [
            (str(course.uuid), f"{course.code} · {course.title}") for course in courses
        ]
        for competency in competencies:
            self.fields[self.target_name(competency)] = forms.ChoiceField(
                label=f"{competency.code} {competency.title}",
                required=False,
                choices=[("", _("Not in this course"))]
                + [
                    (
                        str(stage.ordinal),
                        _("Stage %(n)s · %(label)s") % {"n": stage.ordinal, "label": stage.label},
                    )
                    for stage in competency.stages.all()
                ],
            )

    @staticmethod
    def target_name(competency) -> str:
        return f"target_{competency.pk}"

    def form_field(self, service_field: str) -> str:
        """`course_write` names a target "target-<competency id>"."""
        return service_field.replace("target-", "target_", 1)

    def targets(self) -> list[tuple]:
        """(competency, target stage ordinal) for each competency given a target."""
        return [
            (competency, int(self.cleaned_data[self.target_name(competency)]))
            for competency in self.competencies
            if self.cleaned_data.get(self.target_name(competency))
        ]

    def target_rows(self):
        """(framework, [bound field, …]) for the page, in the competencies' order."""
        rows: dict = {}
        for competency in self.competencies:
            rows.setdefault(competency.framework, []).append(self[self.target_name(competency)])
        return list(rows.items())
