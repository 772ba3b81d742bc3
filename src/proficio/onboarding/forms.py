"""The setup wizard's form: one page, every problem shown at once beside its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proficio.lib.forms import ServiceErrorsMixin
from proficio.onboarding.data import DEFAULT_SCALE, SCALE_PRESETS


class SetupForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(label=_("Setup code"), max_length=20)
    district = forms.CharField(label=_("District name"), max_length=200)
    school = forms.CharField(label=_("First school"), max_length=200)
    first_name = forms.CharField(label=_("Your first name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Your last name"), max_length=150, required=False)
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password_again = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput, strip=False
    )
    scale = forms.ChoiceField(
        label=_("Rating scale"),
        choices=[(key, label) for key, (label, _levels) in SCALE_PRESETS.items()],
        initial=DEFAULT_SCALE,
        widget=forms.RadioSelect,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned
