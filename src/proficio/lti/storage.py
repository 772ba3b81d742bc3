"""Where pylti1p3 keeps a launch's state, nonce and data between its steps: the database,
shared by every server process (the login and the launch are two requests that may reach
two of them), each value with its expiry."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from pylti1p3.launch_data_storage.base import LaunchDataStorage

from proficio.lti.models import LaunchData

# pylti1p3 gives lifetimes for what it stores; what it gives none for lasts this long.
DEFAULT_LIFETIME = timedelta(hours=2)


class DatabaseLaunchDataStorage(LaunchDataStorage[Any]):
    def get_session_cookie_name(self) -> str | None:
        # As pylti1p3's cache storage: a browser session cookie on HTTPS only (it must be
        # SameSite=None, which browsers refuse without Secure).
        assert self._request is not None, "pylti1p3 sets the request first"
        return super().get_session_cookie_name() if self._request.is_secure() else None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        row = (
            LaunchData.objects.filter(key=self._prepare_key(key), expires_at__gt=timezone.now())
            .only("value")
            .first()
        )
        return None if row is None else row.value

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        now = timezone.now()
        lifetime = DEFAULT_LIFETIME if exp is None else timedelta(seconds=exp)
        LaunchData.objects.filter(expires_at__lte=now).delete()
        LaunchData.objects.update_or_create(
            key=self._prepare_key(key), defaults={"value": value, "expires_at": now + lifetime}
        )

    def check_value(self, key: str) -> bool:
        """pylti1p3 asks this of a launch's nonce alone, and only checks it is there: here a
        nonce is used up as it is checked, so a launch posted twice is refused the second
        time."""
        used, _by_model = LaunchData.objects.filter(
            key=self._prepare_key(key), expires_at__gt=timezone.now()
        ).delete()
        return used > 0
