"""Domain errors raised by services and selectors; views and the API map them to HTTP once."""

from collections.abc import Mapping


class ProficioError(Exception):
    """Base of every error a person can be shown."""


class NotVisible(ProficioError):
    """The object does not exist for this user (shown as 404, never 403, so nothing leaks)."""


class InvalidInput(ProficioError):
    """Input that breaks a rule; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))
