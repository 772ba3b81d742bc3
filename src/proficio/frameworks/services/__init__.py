"""Writes of the frameworks app: authoring scales, frameworks, competencies and courses, and
syncing frameworks from CASE documents and from trajectory spreadsheets."""

from proficio.frameworks.services.authoring import (
    competency_create,
    competency_revise,
    competency_write,
    course_create,
    course_sequence,
    course_write,
    framework_code_for,
    framework_create,
    framework_open_to_teachers,
    framework_write,
    scale_create,
    scale_write,
)
from proficio.frameworks.services.case_sync import competency_align, framework_sync_case
from proficio.frameworks.services.trajectory_sync import framework_sync_trajectories

__all__ = [
    "competency_align",
    "competency_create",
    "competency_revise",
    "competency_write",
    "course_create",
    "course_sequence",
    "course_write",
    "framework_code_for",
    "framework_create",
    "framework_open_to_teachers",
    "framework_sync_case",
    "framework_sync_trajectories",
    "framework_write",
    "scale_create",
    "scale_write",
]
