from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "proficio.lti"
    verbose_name = "LTI 1.3 tool"

    def ready(self) -> None:
        from proficio.lti import grades
        from proficio.work.api import review_recorded

        review_recorded.connect(grades.review_heard, dispatch_uid="lti-grade-passback")
