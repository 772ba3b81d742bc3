from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "proficio.onboarding"
    label = "onboarding"
    verbose_name = "First run"
