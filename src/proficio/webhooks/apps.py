from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "proficio.webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from proficio.lib.events import interest_register, published
        from proficio.webhooks import outbox

        published.connect(outbox.events_heard, dispatch_uid="webhooks-outbox")
        interest_register(outbox.subscribed)
