"""The onboarding app's public surface: setting up a district on a fresh installation."""

from proficio.onboarding.code import setup_code, setup_code_path
from proficio.onboarding.data import DEFAULT_SCALE, SCALE_PRESETS, DistrictSetup
from proficio.onboarding.services import (
    SetUp,
    admin_add,
    district_needs_setup,
    district_setup,
    password_generate,
)

__all__ = [
    "DEFAULT_SCALE",
    "SCALE_PRESETS",
    "DistrictSetup",
    "SetUp",
    "admin_add",
    "district_needs_setup",
    "district_setup",
    "password_generate",
    "setup_code",
    "setup_code_path",
]
