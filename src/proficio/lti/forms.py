"""The LMS page's form: a platform registered by hand, from what its admin gave."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proficio.lib.forms import ServiceErrorsMixin


class PlatformForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("LMS"), max_length=200, help_text=_("As teachers know it, e.g. District Canvas.")
    )
    issuer = forms.CharField(
        label=_("Issuer"), max_length=255, help_text=_("e.g. https://canvas.instructure.com")
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=255)
    auth_url = forms.CharField(label=_("OIDC authentication URL"), max_length=200)
    token_url = forms.CharField(label=_("Access token URL"), max_length=200)
    keyset_url = forms.CharField(label=_("Public keyset URL"), max_length=200)
    frame_origins = forms.CharField(
        label=_("Other addresses that show Proficio in a frame (optional)"),
        required=False,
        max_length=2000,
        help_text=_("Each school's own LMS address, separated by spaces."),
    )
