"""What every form that a service stands behind shares."""

from collections.abc import Mapping

from django import forms


class ServiceErrorsMixin:
    """A Django form that shows a service's InvalidInput (`errors`: field → message) next
    to the field each message is about, and with the form's own errors where none is."""

    def form_field(self, service_field: str) -> str:
        """The form's name for a service's field; the same name unless a form says otherwise."""
        return service_field

    def add_service_errors(self, errors: Mapping[str, str]) -> None:
        for service_field, message in errors.items():
            name = self.form_field(service_field)
            self.add_error(name if name in self.fields else None, message)  # type: ignore[attr-defined]

    @property
    def has_field_errors(self) -> bool:
        """Whether any error is about a field (not only the form's own)."""
        return any(name != "__all__" for name in self.errors)  # type: ignore[attr-defined]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files from one input."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(one, initial) for one in files]
