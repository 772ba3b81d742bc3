"""When something was done, if not now: work brought in from before (the demo, an import)
keeps its time, and nothing is dated ahead of now."""

from datetime import datetime, timedelta

from django.utils import timezone

# A device's clock a little ahead of the server's is not "the future".
CLOCK_SKEW = timedelta(minutes=10)


def moment(
    at: datetime | None, *, errors: dict[str, str], after: datetime | None = None
) -> datetime:
    """`at`, or now. A time ahead of now, or before `after` (what it follows), adds an error
    under "at" and is given back as it is: the caller raises once every field is checked."""
    now = timezone.now()
    if at is None:
        return now
    if at > now + CLOCK_SKEW:
        errors["at"] = "That time has not come yet."
    elif after is not None and at < after:
        errors["at"] = "That is before what it follows."
    return at
