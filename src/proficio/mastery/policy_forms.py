"""The form that changes a mastery policy, each choice explained next to it (DESIGN §2)."""

from collections.abc import Mapping, Sequence
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proficio.engine import POLICY_PARAMETERS, ParamSpec, format_score
from proficio.lib.forms import ServiceErrorsMixin
from proficio.mastery.data import MINIMUM_EVIDENCE_MAX, PolicyDraft, PolicyRemoval
from proficio.mastery.forms import DateInput
from proficio.mastery.models import MasteryPolicy, Method, Rollup
from proficio.mastery.selectors import PolicyScope

# What each method does to a student's result, in plain words.
METHOD_HELP = {
    Method.LATEST: _(
        "The most recent rating is the result. It follows growth at once, but one off day "
        "shows at once too."
    ),
    Method.HIGHEST: _(
        "The best rating so far is the result. Generous: one strong piece of work is enough, "
        "even when later work is weaker."
    ),
    Method.MEAN: _(
        "The average of all ratings. Steady, but early struggles keep pulling it down long "
        "after a student has grown."
    ),
    Method.MEDIAN_RECENT: _(
        "The middle value of the last few ratings. Follows recent work and is not thrown by "
        "one unusual rating."
    ),
    Method.MODE: _(
        "The rating given most often; a tie goes to the higher one. It needs several ratings "
        "to mean much."
    ),
    Method.WEIGHTED_AVERAGE: _(
        "The most recent rating counts for a fixed share, the average of all earlier ratings "
        "for the rest. Some systems call this a “decaying average”."
    ),
    Method.DECAYING_AVERAGE: _(
        "Each new rating counts for a share of the running result, so older work fades step "
        "by step. Proficio's default: it follows growth without jumping on a single rating."
    ),
    Method.N_MASTERY: _(
        "Mastered once the student has reached the threshold a set number of times; the "
        "result is the average of those ratings."
    ),
    Method.POWER_LAW: _(
        "Fits a learning curve through all ratings and reads it at the latest one (Marzano's "
        "power law). Follows a steady trend; it needs several ratings."
    ),
    Method.KNOWLEDGE_TRACING: _(
        "For right/wrong practice: each rating at the scale's mastery level counts as right, "
        "and the result is the chance the student has mastered the stage, mastered at 95%. "
        "How much a guess, a slip and practice count is fitted from the district's own "
        "answers (`proficio fit-bkt`); the mastery threshold below does not decide it."
    ),
}

SCOPE_HELP = _(
    "Who the policy applies to. The narrowest one in force wins: a competency's own policy, "
    "then its framework's, then the student's school's, then the district's."
)
MINIMUM_EVIDENCE_HELP = _(
    "How many ratings a stage needs before it can count as mastered. With fewer, pages say "
    "“not enough evidence yet” instead of a bare number. Default: 2."
)
THRESHOLD_HELP = _(
    "The level a result must reach to count as mastered. Default: the scale's mastery level "
    "(3, Proficient, on a four-level scale)."
)
IMPLIES_HELP = _(
    "When a student masters a stage, every lower stage counts as mastered too, so nobody is "
    "asked to prove again what a harder piece of work has shown. Default: on."
)
SELF_HELP = _(
    "Count students' ratings of their own work toward mastery. Default: off, so "
    "self-assessments are shown beside the teacher's ratings but do not move the result."
)
ROLLUP_HELP = _(
    "For a competency made of parts (a domain such as Writing over its strands): master it "
    "stage by stage from its parts' stages of the same number — every part mastered, points "
    "from the parts mastered (some may be required), or the parts' average reaching the "
    "threshold above. It then takes no ratings of its own. Competencies without parts ignore "
    "this. Default: from its own ratings."
)
ROLLUP_BASE_HELP = _("How many points a stage needs from its mastered parts.")
EFFECTIVE_HELP = _(
    "The day the new version takes effect. Mastery “as of” an earlier day keeps the policy "
    "then in force, and today's values stay readable as history. Default: today."
)


def _today_or_later(day: date) -> date:
    if day < timezone.localdate():
        raise forms.ValidationError(_("Choose today or a later day."))
    return day


def _part_field(code: str, name: str) -> str:
    """The form field name of one part's term (points or required)."""
    return f"part__{code}__{name}"


def parameter_field(method: str, name: str) -> str:
    """The form field name of one method parameter."""
    return f"{method}__{name}"


def _number_field(method: str, name: str, spec: ParamSpec) -> forms.Field:
    attrs = {"step": "1" if spec.integer else "0.01"}
    if spec.low is not None:
        attrs["min"] = format_score(spec.low)
    if spec.high is not None:
        attrs["max"] = format_score(spec.high)
    if method == Method.N_MASTERY and name == "threshold":
        # engine.evaluate counts ratings at the policy's own mastery threshold by default.
        help_text = _("Leave empty to count ratings at the mastery threshold below.")
    else:
        attrs["placeholder"] = format_score(spec.default)
        help_text = _("Use %(range)s. Leave empty for the default, %(default)s.") % {
            "range": spec.describe(),
            "default": format_score(spec.default),
        }
    field_class = forms.IntegerField if spec.integer else forms.FloatField
    return field_class(
        label=spec.label,
        required=False,
        help_text=help_text,
        widget=forms.NumberInput(attrs=attrs),
    )


class PolicyForm(ServiceErrorsMixin, forms.Form):
    """A new version of one scope's policy. Parameter fields follow the chosen method."""

    is_removal = False

    scope = forms.ChoiceField(label=_("Applies to"), help_text=SCOPE_HELP)
    method = forms.ChoiceField(label=_("Calculation method"), choices=Method.choices)
    minimum_evidence = forms.IntegerField(
        label=_("Minimum evidence"),
        min_value=1,
        max_value=MINIMUM_EVIDENCE_MAX,
        help_text=MINIMUM_EVIDENCE_HELP,
    )
    threshold = forms.DecimalField(
        label=_("Mastery threshold"),
        max_digits=6,
        decimal_places=2,
        help_text=THRESHOLD_HELP,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    higher_implies_lower = forms.BooleanField(
        label=_("Mastering a stage also masters the stages below it"),
        required=False,
        help_text=IMPLIES_HELP,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "id_higher_implies_lower_helptext"}),
    )
    include_self_assessment = forms.BooleanField(
        label=_("Count self-assessments"),
        required=False,
        help_text=SELF_HELP,
        widget=forms.CheckboxInput(
            attrs={"aria-describedby": "id_include_self_assessment_helptext"}
        ),
    )
    rollup = forms.ChoiceField(
        label=_("A competency with parts is mastered"),
        choices=Rollup.choices,
        required=False,
        help_text=ROLLUP_HELP,
    )
    rollup_base = forms.DecimalField(
        label=_("Points needed"),
        max_digits=6,
        decimal_places=2,
        min_value=0.01,
        required=False,
        help_text=ROLLUP_BASE_HELP,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    effective_from = forms.DateField(
        label=_("Takes effect on"), help_text=EFFECTIVE_HELP, widget=DateInput
    )
    # The earlier version whose settings the form was filled from ("Restore version N").
    restores = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Mapping | None = None,
        *,
        scopes: Sequence[PolicyScope],
        current: Mapping[str, MasteryPolicy],
        chosen: Mapping | None = None,
        restoring: MasteryPolicy | None = None,
        **kwargs,
    ):
        """scopes: those the user may set. current: the policy in force per scope key; the
        form starts from the chosen scope's. chosen: for an unbound form, what the person
        has picked so far (a scope alone reloads that scope's settings; with a method, the
        other entries are kept). restoring: an earlier version of the chosen scope to start
        from instead."""
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, **kwargs)
        picked = data if data is not None else (chosen or {})
        self.scopes = {scope.key: scope for scope in scopes}
        self.fields["scope"].choices = [(scope.key, scope.label) for scope in scopes]
        today = timezone.localdate()
        self.fields["effective_from"].widget.attrs["min"] = today.isoformat()
        scope_key = picked.get("scope") if picked.get("scope") in self.scopes else None
        scope_key = scope_key or (scopes[0].key if scopes else "")
        starting = restoring or current.get(scope_key)
        self.initial["scope"] = scope_key
        self.initial["effective_from"] = today
        if restoring is not None:
            self.initial["restores"] = restoring.version
        if starting is not None:
            self.initial.update(
                {
                    "method": starting.method,
                    "minimum_evidence": starting.minimum_evidence,
                    "threshold": starting.threshold,
                    "higher_implies_lower": starting.higher_implies_lower,
                    "include_self_assessment": starting.include_self_assessment,
                    "rollup": starting.rollup,
                    "rollup_base": starting.rollup_base,
                }
            )
        method = picked.get("method") or self.initial.get("method")
        self.method = method if method in POLICY_PARAMETERS else Method.DECAYING_AVERAGE
        self.method_help = METHOD_HELP[self.method]
        kept = starting.parameters if starting and starting.method == self.method else {}
        for name, spec in POLICY_PARAMETERS[self.method].items():
            field_name = parameter_field(self.method, name)
            self.fields[field_name] = _number_field(self.method, name, spec)
            if name in kept:
                self.initial[field_name] = kept[name]
        self.parts = self._part_fields(scope_key, starting)
        if data is None and "method" in picked:
            # Switching methods keeps what was typed in every other field.
            checkboxes = {"higher_implies_lower", "include_self_assessment"}
            self.initial.update({name: picked.get(name) for name in self.fields if name in picked})
            self.initial.update({name: name in picked for name in checkboxes})

    def _part_fields(self, scope_key: str, starting: MasteryPolicy | None) -> list[str]:
        """Each part's points and "required" fields, when the scope is a competency with
        parts; the field names' part codes, in order."""
        scope = self.scopes.get(scope_key)
        if scope is None or scope.competency is None:
            return []
        kept = starting.rollup_parts if starting is not None else {}
        codes = []
        for part in scope.competency.children.all():
            terms = kept.get(part.code, {})
            self.fields[_part_field(part.code, "points")] = forms.DecimalField(
                label=_("%(code)s %(title)s: points") % {"code": part.code, "title": part.title},
                max_digits=6,
                decimal_places=2,
                min_value=0,
                max_value=1000,
                required=False,
                widget=forms.NumberInput(attrs={"step": "0.5", "placeholder": "1"}),
            )
            self.fields[_part_field(part.code, "required")] = forms.BooleanField(
                label=_("required"), required=False
            )
            self.initial[_part_field(part.code, "points")] = terms.get("points")
            self.initial[_part_field(part.code, "required")] = terms.get("required", False)
            codes.append(part.code)
        return codes

    @property
    def part_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[_part_field(code, "points")], self[_part_field(code, "required")])
            for code in self.parts
        ]

    @property
    def restoring(self) -> object:
        """The version number being restored, if the form was filled from one."""
        return self["restores"].value()

    @property
    def checkboxes(self) -> list[forms.BoundField]:
        return [self["higher_implies_lower"], self["include_self_assessment"]]

    @property
    def parameter_fields(self) -> list[forms.BoundField]:
        return [self[parameter_field(self.method, name)] for name in POLICY_PARAMETERS[self.method]]

    def clean_effective_from(self) -> date:
        return _today_or_later(self.cleaned_data["effective_from"])

    def draft(self) -> PolicyDraft:
        """What policy_change and policy_preview take, from a valid form."""
        data = self.cleaned_data
        parameters = {
            name: data[parameter_field(self.method, name)]
            for name in POLICY_PARAMETERS[self.method]
            if data.get(parameter_field(self.method, name)) is not None
        }
        return PolicyDraft(
            **self.scopes[data["scope"]].parts,
            method=data["method"],
            parameters=parameters,
            minimum_evidence=data["minimum_evidence"],
            threshold=data["threshold"],
            higher_implies_lower=data["higher_implies_lower"],
            include_self_assessment=data["include_self_assessment"],
            effective_from=data["effective_from"],
            restores=data.get("restores"),
            rollup=data.get("rollup") or "",
            rollup_base=data.get("rollup_base"),
            rollup_parts=self._part_terms(),
        )

    def _part_terms(self) -> dict[str, dict[str, object]]:
        """The terms typed for each part; a part left as it is (one point, not required) is
        left out."""
        data = self.cleaned_data
        terms: dict[str, dict[str, object]] = {}
        for code in self.parts:
            points = data.get(_part_field(code, "points"))
            required = bool(data.get(_part_field(code, "required")))
            if points is not None or required:
                terms[code] = {"points": 1 if points is None else points, "required": required}
        return terms

    def form_field(self, service_field: str) -> str:
        if service_field.startswith("parameters."):
            return parameter_field(self.method, service_field.removeprefix("parameters."))
        if service_field.startswith("rollup_parts."):
            return _part_field(service_field.removeprefix("rollup_parts."), "points")
        return service_field


class OverrideRemovalForm(ServiceErrorsMixin, forms.Form):
    """Removing a school's, framework's or competency's own policy: from the chosen day the
    scope follows the broader one again."""

    is_removal = True

    scope = forms.ChoiceField(label=_("Remove the policy of"), widget=forms.HiddenInput)
    effective_from = forms.DateField(
        label=_("Takes effect on"),
        help_text=_(
            "From this day the scope follows the broader policy. Mastery “as of” an earlier "
            "day keeps the policy then in force. Default: today."
        ),
        widget=DateInput,
    )

    def __init__(
        self,
        data: Mapping | None = None,
        *,
        scopes: Sequence[PolicyScope],
        chosen: str | None = None,
        **kwargs,
    ):
        """scopes: those whose own policy the user may remove; chosen: the one asked for."""
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, **kwargs)
        self.scopes = {scope.key: scope for scope in scopes}
        self.fields["scope"].choices = [(scope.key, scope.label) for scope in scopes]
        today = timezone.localdate()
        self.fields["effective_from"].widget.attrs["min"] = today.isoformat()
        self.initial.update({"scope": chosen, "effective_from": today})

    @property
    def chosen_scope(self) -> PolicyScope | None:
        return self.scopes.get(self["scope"].value())

    def clean_effective_from(self) -> date:
        return _today_or_later(self.cleaned_data["effective_from"])

    def draft(self) -> PolicyRemoval:
        """What policy_change and policy_preview take, from a valid form."""
        return PolicyRemoval(
            **self.scopes[self.cleaned_data["scope"]].parts,
            effective_from=self.cleaned_data["effective_from"],
        )
