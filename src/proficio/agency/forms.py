"""The agency app's forms: a goal, its status, a comment, a check-in and its reflection."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proficio.agency.models import GoalStatus
from proficio.frameworks.api import Competency
from proficio.lib.forms import ServiceErrorsMixin


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
