"""The agency app's forms: a goal, its status, a comment, a check-in and its reflection."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proficio.agency.models import GoalStatus
from proficio.frameworks.api import Competency
from proficio.lib.forms import ServiceErrorsMixin
from proficio.people.api import FamilyVisibility


class DateInput(forms.DateInput):
    input_type = "date"


class GoalForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("My goal"), max_length=300)
    why = forms.CharField(
        label=_("Why it matters to me"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    competency = forms.ChoiceField(
        label=_("Competency or skill"),
        required=False,
        help_text=_("Tie the goal to a competency, or to a skill such as collaboration."),
    )
    stage = forms.IntegerField(
        label=_("Stage"), required=False, min_value=1, help_text=_("The stage to reach, if any.")
    )
    target_date = forms.DateField(label=_("By when"), required=False, widget=DateInput)
    steps = forms.CharField(
        label=_("Steps"),
        required=False,
        help_text=_("One step per line."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, competencies: list[Competency], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.competencies = {str(c.uuid): c for c in competencies}
        skills = [c for c in competencies if c.kind == "skill"]
        academic = [c for c in competencies if c.kind != "skill"]
        self.fields["competency"].choices = [
            ("", _("None")),
            (_("Competencies"), [(str(c.uuid), f"{c.code} · {c.title}") for c in academic]),
            (_("Skills"), [(str(c.uuid), f"{c.code} · {c.title}") for c in skills]),
        ]

    def goal(self) -> dict[str, object]:
        """The goal's fields as `goal_write` takes them, from a valid form."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "why": data["why"],
            "competency": self.competencies.get(data["competency"] or ""),
            "stage": data["stage"],
            "target_date": data["target_date"],
            "steps": data["steps"].splitlines(),
        }


class GoalStatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Where the goal stands"), choices=GoalStatus.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("What changed, or how it went"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CommentForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(label=_("Add a comment"), widget=forms.Textarea(attrs={"rows": 2}))


class CheckInForm(ServiceErrorsMixin, forms.Form):
    happened_on = forms.DateField(label=_("When"), widget=DateInput)
    notes = forms.CharField(
        label=_("What you talked about"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    actions = forms.CharField(
        label=_("Actions you agreed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    goals = forms.MultipleChoiceField(
        label=_("Goals you talked about"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, goals, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.goal_objects = {str(goal.uuid): goal for goal in goals}
        self.fields["goals"].choices = [(str(goal.uuid), goal.title) for goal in goals]

    def chosen_goals(self) -> list:
        return [self.goal_objects[key] for key in self.cleaned_data["goals"]]


class ReflectionForm(ServiceErrorsMixin, forms.Form):
    reflection = forms.CharField(label=_("My reflection"), widget=forms.Textarea(attrs={"rows": 3}))


class MentorForm(forms.Form):
    mentor = forms.ChoiceField(label=_("Mentor"))

    def __init__(self, *args, teachers, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.teachers = {str(t.uuid): t for t in teachers}
        self.fields["mentor"].choices = [(str(t.uuid), t.display_name) for t in teachers]


class CadenceForm(forms.Form):
    days = forms.IntegerField(
        label=_("Check in with each student every … days"), min_value=1, max_value=90
    )


class PieceForm(ServiceErrorsMixin, forms.Form):
    """A piece for the portfolio: work on a task, a rating, or a file of the student's own."""

    source = forms.ChoiceField(
        label=_("What to add"),
        widget=forms.RadioSelect,
        choices=[
            ("revision", _("Work I handed in on a task")),
            ("evidence", _("A rating of my work")),
            ("upload", _("A file of my own: a photo, a recording, a document")),
        ],
        initial="revision",
    )
    revision = forms.ChoiceField(label=_("Work on a task"), required=False)
    evidence = forms.ChoiceField(label=_("Rating"), required=False)
    upload = forms.FileField(label=_("File"), required=False)
    title = forms.CharField(label=_("Title"), max_length=300)
    reflection = forms.CharField(
        label=_("My reflection"),
        required=False,
        help_text=_("What this piece shows about you, and what you would do next time."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    competencies = forms.MultipleChoiceField(
        label=_("Competencies it shows"), required=False, widget=forms.CheckboxSelectMultiple
    )
    shared_with_family = forms.BooleanField(label=_("My family may see it"), required=False)
    baseline = forms.BooleanField(
        label=_("This shows where I start the year (my baseline)"), required=False
    )

    def __init__(self, *args, revisions, evidence, competencies, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.revisions = {str(r.uuid): r for r in revisions}
        self.ratings = {str(e.uuid): e for e in evidence}
        self.competency_objects = {str(c.uuid): c for c in competencies}
        self.fields["revision"].choices = [("", "—")] + [
            (
                str(r.uuid),
                _("%(task)s, revision %(number)s (%(day)s)")
                % {
                    "task": r.submission.task.title,
                    "number": r.number,
                    "day": r.submitted_at.strftime("%-d %b %Y"),
                },
            )
            for r in revisions
        ]
        self.fields["evidence"].choices = [("", "—")] + [
            (
                str(e.uuid),
                f"{e.competency.code} · stage {e.stage.ordinal} · level "
                f"{e.level.normalize()} ({e.observed_at:%-d %b %Y})"
                + (f" · {e.artifact_title}" if e.artifact_title else ""),
            )
            for e in evidence
        ]
        self.fields["competencies"].choices = [
            (str(c.uuid), f"{c.code} · {c.title}") for c in competencies
        ]

    def piece(self) -> dict[str, object]:
        """The piece as `piece_add` takes it, from a valid form."""
        data = self.cleaned_data
        source = data["source"]
        return {
            "title": data["title"],
            "reflection": data["reflection"],
            "competencies": [self.competency_objects[key] for key in data["competencies"]],
            "revision": self.revisions.get(data["revision"]) if source == "revision" else None,
            "evidence": self.ratings.get(data["evidence"]) if source == "evidence" else None,
            "upload": data.get("upload") if source == "upload" else None,
            "shared_with_family": data["shared_with_family"],
            "baseline": data["baseline"],
        }

    def form_field(self, service_field: str) -> str:
        return {"piece": "source"}.get(service_field, service_field)


class PieceChangeForm(forms.Form):
    reflection = forms.CharField(
        label=_("My reflection"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    shared_with_family = forms.BooleanField(label=_("My family may see it"), required=False)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ConferenceForm(ServiceErrorsMixin, forms.Form):
    scheduled_for = forms.DateTimeField(
        label=_("When"), required=False, widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M"]
    )
    pieces = forms.MultipleChoiceField(
        label=_("The pieces I will show"), required=False, widget=forms.CheckboxSelectMultiple
    )
    script = forms.CharField(
        label=_("What I want to say"),
        required=False,
        help_text=_("Your words for each part: rehearse them in the script view."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    questions = forms.CharField(
        label=_("The questions I will ask"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, pieces, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.piece_objects = {str(p.uuid): p for p in pieces}
        self.fields["pieces"].choices = [(str(p.uuid), p.title) for p in pieces]

    def chosen(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "pieces": [self.piece_objects[key] for key in data["pieces"]],
            "script": data["script"],
            "questions": data["questions"],
            "scheduled_for": data["scheduled_for"],
        }


class RecordForm(ServiceErrorsMixin, forms.Form):
    notes = forms.CharField(
        label=_("Notes from the conference"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    next_steps = forms.CharField(
        label=_("Next steps agreed"),
        required=False,
        help_text=_("One per line; each can become one of the student's goals."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FamilyNoteForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("What we see at home"),
        help_text=_(
            "Soft skills you notice: organising, helping others, sticking with something hard."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FamilyVisibilityForm(ServiceErrorsMixin, forms.Form):
    """What the district's families see: one of people's `FamilyVisibility` choices."""

    visibility = forms.ChoiceField(
        label=_("What families see"),
        widget=forms.RadioSelect,
        choices=FamilyVisibility.choices,
        error_messages={
            "required": _("Choose one of the two."),
            "invalid_choice": _("Choose one of the two."),
        },
    )
