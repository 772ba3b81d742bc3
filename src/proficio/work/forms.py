"""The work app's forms: a task as a teacher writes it, giving it out, a student's revision
with its self-assessment, a review, a comment."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from proficio.frameworks.api import Competency
from proficio.lib.forms import MultipleFileField, ServiceErrorsMixin
from proficio.people.api import Person, Section
from proficio.work.models import RevisionPolicy, TaskAlignment

TEXTAREA = {"rows": 8}


def stage_choices(competencies: list[Competency]) -> list:
    """Every stage still taking ratings, grouped by competency, valued "<uuid>:<ordinal>"."""
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


class TaskForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Markdown: **bold**, *italic*, lists with “- ”, links."),
    )
    stages = forms.MultipleChoiceField(
        label=_("Stages the task lets students show"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("One or several, across competencies. Hold Ctrl (⌘ on a Mac) for more."),
    )
    options = forms.CharField(
        label=_("Choice board"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One way to show the work per line, e.g. “Write a speech”, “Record a podcast”. "
            "Students may propose their own."
        ),
    )
    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Soft: work may come early or late."),
    )
    revision_policy = forms.ChoiceField(
        label=_("Revisions"), choices=RevisionPolicy.choices, initial=RevisionPolicy.UNLIMITED
    )
    max_revisions = forms.IntegerField(
        label=_("At most this many revisions"), required=False, min_value=1, max_value=20
    )
    shared = forms.BooleanField(
        label=_("Share it in the district's library"), required=False, initial=False
    )

    def form_field(self, service_field: str) -> str:
        return {"alignments": "stages"}.get(service_field, service_field)

    def __init__(self, *args, competencies: list[Competency], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.competencies = {str(c.uuid): c for c in competencies}
        self.fields["stages"].choices = stage_choices(competencies)

    def alignments(self) -> list[tuple[Competency, int]]:
        pairs = []
        for value in self.cleaned_data["stages"]:
            competency_id, _, ordinal = value.partition(":")
            pairs.append((self.competencies[competency_id], int(ordinal)))
        return pairs

    def option_titles(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class AssignForm(forms.Form):
    section = forms.ChoiceField(label=_("A section"), required=False)
    students = forms.MultipleChoiceField(
        label=_("Or students picked by hand"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, sections: list[Section], students: list[Person], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.sections = {str(s.uuid): s for s in sections}
        self.students = {str(p.uuid): p for p in students}
        self.fields["section"].choices = [("", "—")] + [
            (key, str(section)) for key, section in self.sections.items()
        ]
        self.fields["students"].choices = [
            (key, person.display_name) for key, person in self.students.items()
        ]

    def clean(self):
        data = super().clean()
        if bool(data.get("section")) == bool(data.get("students")):
            raise forms.ValidationError(_("Choose a section, or students — one of the two."))
        return data


class WorkForm(ServiceErrorsMixin, forms.Form):
    """A student's revision: the chosen option, text, files, audio recorded in the page, and
    (to submit) a level per aligned stage with a reflection."""

    option = forms.ChoiceField(label=_("How you will show it"), required=False)
    text = forms.CharField(
        label=_("Your work"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown works: **bold**, *italic*, lists, links to your work elsewhere."),
    )
    files = MultipleFileField(label=_("Files"), required=False)
    keep = forms.MultipleChoiceField(
        label=_("Keep the files of your last revision"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reflection = forms.CharField(
        label=_("Your reflection"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What went well, what you would do differently."),
    )

    def form_field(self, service_field: str) -> str:
        if service_field.startswith("files"):
            return "files"
        return {"self_assessment": "reflection", "submit": "text"}.get(service_field, service_field)

    def __init__(self, *args, options, alignments: list[TaskAlignment], earlier_files=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.earlier_files = {str(kept.uuid): kept for kept in earlier_files}
        self.fields["keep"].choices = [(key, kept.name) for key, kept in self.earlier_files.items()]
        self.fields["keep"].initial = list(self.earlier_files)
        self.options = {str(option.uuid): option for option in options}
        self.fields["option"].choices = [("", "—")] + [
            (key, option.title) for key, option in self.options.items()
        ]
        self.alignments = alignments
        for alignment in alignments:
            competency = alignment.stage.competency
            levels = competency.effective_scale.levels.all()
            self.fields[self.level_name(alignment)] = forms.ChoiceField(
                label=f"{competency.code} · Stage {alignment.stage.ordinal}",
                required=False,
                widget=forms.RadioSelect,
                choices=[("", _("Skip"))]
                + [(str(level.value.normalize()), level.label) for level in levels],
            )

    @staticmethod
    def level_name(alignment: TaskAlignment) -> str:
        return f"self-{alignment.pk}"

    def level_fields(self):
        return [self[self.level_name(alignment)] for alignment in self.alignments]

    def kept_files(self) -> list:
        return [self.earlier_files[key] for key in self.cleaned_data.get("keep", [])]

    def chosen_option(self):
        return self.options.get(self.cleaned_data.get("option") or "")

    def self_levels(self) -> list[tuple[TaskAlignment, Decimal]]:
        chosen = []
        for alignment in self.alignments:
            value = self.cleaned_data.get(self.level_name(alignment))
            if value:
                chosen.append((alignment, Decimal(value)))
        return chosen


class ProposeForm(forms.Form):
    title = forms.CharField(label=_("Your own way to show it"), max_length=300)
    description = forms.CharField(label=_("What you would make or do"), required=False)


class ReviewForm(ServiceErrorsMixin, forms.Form):
    """A level, what is present and what is needed next per aligned stage; then a decision.
    The revision read is named, so a later submission is never rated unseen."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    decision = forms.ChoiceField(
        label=_("Then"),
        choices=[("rated", _("Rate it")), ("revise", _("Return it for revision"))],
        widget=forms.RadioSelect,
        initial="rated",
    )

    def __init__(self, *args, alignments: list[TaskAlignment], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.alignments = alignments
        for alignment in alignments:
            levels = alignment.stage.competency.effective_scale.levels.all()
            prefix = f"a{alignment.pk}"
            self.fields[f"{prefix}-level"] = forms.ChoiceField(
                label=_("Level"),
                required=False,
                widget=forms.RadioSelect,
                choices=[("", _("Not rated"))]
                + [(str(level.value.normalize()), level.label) for level in levels],
            )
            self.fields[f"{prefix}-shows"] = forms.MultipleChoiceField(
                label=_("The work shows"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[
                    (str(statement.uuid), statement.text)
                    for statement in alignment.stage.evidence_statements.all()
                ],
            )
            self.fields[f"{prefix}-present"] = forms.CharField(
                label=_("What is present"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"{prefix}-next"] = forms.CharField(
                label=_("What is needed next"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        return [
            (
                alignment,
                self[f"a{alignment.pk}-level"],
                self[f"a{alignment.pk}-present"],
                self[f"a{alignment.pk}-next"],
                self[f"a{alignment.pk}-shows"],
            )
            for alignment in self.alignments
        ]

    def ratings(self) -> list[tuple[TaskAlignment, Decimal | None, str, str, tuple[str, ...]]]:
        """Per aligned stage given anything: its level (None if not chosen), what is present,
        what is needed next, and the evidence statements ticked."""
        found = []
        for alignment in self.alignments:
            prefix = f"a{alignment.pk}"
            level = self.cleaned_data.get(f"{prefix}-level")
            present = self.cleaned_data.get(f"{prefix}-present", "")
            needed = self.cleaned_data.get(f"{prefix}-next", "")
            shows = tuple(self.cleaned_data.get(f"{prefix}-shows") or ())
            if level or present or needed or shows:
                found.append((alignment, Decimal(level) if level else None, present, needed, shows))
        return found


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Add to the conversation"), widget=forms.Textarea(attrs={"rows": 3})
    )
