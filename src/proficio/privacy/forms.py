from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ErasureForm(forms.Form):
    """Erasure cannot be undone: the admin types the student's username to say they mean it."""

    confirm = forms.CharField(
        label=gettext_lazy("Type the student's username to confirm"),
        max_length=150,
        strip=True,
    )

    def __init__(self, data: object = None, *, username: str):
        super().__init__(data, label_suffix="")
        self.username = username

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"]
        if typed != self.username:
            raise forms.ValidationError(_("That is not this student's username."))
        return typed
