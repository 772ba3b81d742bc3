"""Background work of the xAPI store, run by the task worker that `proficio start` starts."""

from django_tasks import task

# The module, not its function: the store queues this task, so either may load first.
from proficio.lrs import mapping


@task()
def statements_map_in_background(district_id: int) -> dict[str, int]:
    """Turn the district's pending statements into evidence, once they have gathered a
    moment; a later task finds none left when an earlier one has mapped them all."""
    counts = mapping.statements_map_gathered(district_id=district_id)
    return {
        "statements": counts.statements,
        "ratings": counts.ratings,
        "unmatched": counts.unmatched,
    }
