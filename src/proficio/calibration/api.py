"""The calibration app's public surface: what other apps may use (the reports app reads the
trend of agreement here). Nothing else of calibration/ is imported from outside it."""

from proficio.calibration.models import CalibrationSession, ConsentBasis, Exemplar
from proficio.calibration.selectors import (
    CalibrationCounts,
    calibration_counts,
    drift_of_all,
    exemplar_library,
    session_agreement_for,
    sessions_of,
)
from proficio.calibration.selectors import settings_of as calibration_settings_of
from proficio.calibration.services import (
    PieceSpec,
    RatingSpec,
    calibration_settings_set,
    consensus_record,
    exemplar_confirm,
    exemplar_propose,
    piece_promote,
    ratings_submit,
    session_open,
    session_reveal,
)

__all__ = [
    "CalibrationCounts",
    "CalibrationSession",
    "ConsentBasis",
    "Exemplar",
    "PieceSpec",
    "RatingSpec",
    "calibration_counts",
    "calibration_settings_of",
    "calibration_settings_set",
    "consensus_record",
    "drift_of_all",
    "exemplar_confirm",
    "exemplar_library",
    "exemplar_propose",
    "piece_promote",
    "ratings_submit",
    "session_agreement_for",
    "session_open",
    "session_reveal",
    "sessions_of",
]
