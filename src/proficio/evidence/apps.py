from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "proficio.evidence"
    verbose_name = "Evidence"
