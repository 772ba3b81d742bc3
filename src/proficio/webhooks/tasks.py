"""Deliveries, sent by the task worker: the first attempt at once, each retry when due."""

from django_tasks import default_task_backend, task

from proficio.webhooks import sending
from proficio.webhooks.models import Delivery


def schedule(delivery: Delivery) -> None:
    """Queue the delivery's next attempt: now, or when its backoff says (the database
    backend the worker reads waits; the tests' immediate one cannot, and they retry by
    hand)."""
    if delivery.next_attempt_at is None:
        delivery_attempt_in_background.enqueue(delivery.pk)
    elif default_task_backend.supports_defer:
        delivery_attempt_in_background.using(run_after=delivery.next_attempt_at).enqueue(
            delivery.pk
        )


@task()
def delivery_attempt_in_background(delivery_id: int) -> str:
    delivery = (
        Delivery.objects.select_related("subscription")
        .filter(pk=delivery_id, state=Delivery.State.PENDING)
        .first()
    )
    if delivery is None:
        return "done already"
    if not sending.attempt(delivery) and delivery.state == Delivery.State.PENDING:
        schedule(delivery)
    return delivery.state
