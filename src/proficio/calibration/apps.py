from django.apps import AppConfig


class CalibrationConfig(AppConfig):
    name = "proficio.calibration"
    verbose_name = "Calibration"
