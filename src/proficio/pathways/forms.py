"""The pathways app's forms: a playlist, and one item of it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proficio.frameworks.api import Competency
from proficio.lib.forms import ServiceErrorsMixin
from proficio.pathways.groups import GROUP_SIZE_LEAST, GROUP_SIZE_MOST
from proficio.pathways.models import Focus, ItemKind, Mode, UnlockRule


def _stage_choices(competencies: list[Competency]) -> list:
    return [
        (
            f"{competency.code} · {competency.title}",
            [
                (f"{competency.uuid}:{stage.ordinal}", f"Stage {stage.ordinal} · {stage.label}")
                for stage in competency.stages.all()
                if not stage.retired
            ],
        )
        for competency in competencies
    ]


class _StagesMixin:
    def stage_pairs(self, values) -> list[tuple[Competency, int]]:
        pairs = []
        for value in values:
            competency_id, _, ordinal = value.partition(":")
            pairs.append((self.competencies[competency_id], int(ordinal)))
        return pairs


class PlaylistForm(_StagesMixin, ServiceErrorsMixin, forms.Form):
    stage = forms.ChoiceField(label=_("For the stage"))
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("What it is for"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    shared = forms.BooleanField(label=_("Share it in the district's library"), required=False)

    def __init__(self, *args, competencies: list[Competency], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.competencies = {str(c.uuid): c for c in competencies}
        self.fields["stage"].choices = _stage_choices(competencies)


class ItemForm(_StagesMixin, ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    minutes = forms.IntegerField(label=_("Minutes"), required=False, min_value=1, max_value=600)
    mode = forms.ChoiceField(label=_("Where"), choices=Mode.choices)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    attachment = forms.FileField(
        label=_("Or a file"),
        required=False,
        help_text=_("A reading, a worksheet: PDF, office documents, images, audio or video."),
    )
    task = forms.ChoiceField(label=_("Performance task"), required=False)
    focus = forms.ChoiceField(label=_("Focus"), choices=Focus.choices)
    unlock = forms.ChoiceField(label=_("Opens"), choices=UnlockRule.choices)
    needs = forms.MultipleChoiceField(
        label=_("After mastery of"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Only for “after mastery”: every stage chosen, of any competency."),
    )

    def form_field(self, service_field: str) -> str:
        return "title" if service_field == "item" else service_field

    def __init__(self, *args, competencies: list[Competency], tasks, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.competencies = {str(c.uuid): c for c in competencies}
        self.tasks = {str(task.uuid): task for task in tasks}
        self.fields["needs"].choices = _stage_choices(competencies)
        self.fields["task"].choices = [("", "—")] + [
            (key, task.title) for key, task in self.tasks.items()
        ]


class GroupSizesForm(ServiceErrorsMixin, forms.Form):
    """The sizes of the flexible groups Proficio suggests: the service checks their range."""

    group_size_min = forms.IntegerField(
        label=_("Smallest group (students)"),
        error_messages={
            "required": _("Say how many students the smallest group has."),
            "invalid": _("A whole number of students, such as 3."),
        },
        widget=forms.NumberInput(attrs={"min": GROUP_SIZE_LEAST, "max": GROUP_SIZE_MOST}),
    )
    group_size_max = forms.IntegerField(
        label=_("Largest group (students)"),
        error_messages={
            "required": _("Say how many students the largest group has."),
            "invalid": _("A whole number of students, such as 6."),
        },
        widget=forms.NumberInput(attrs={"min": GROUP_SIZE_LEAST, "max": GROUP_SIZE_MOST}),
    )
