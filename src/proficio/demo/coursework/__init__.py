"""The demo's coursework: one performance task for each competency, with its choice board,
and the work students did on it — drafts, revisions, self-assessments and teachers'
readings. Plain data, written as a teacher and their students would write it.

Each task's works are listed in the order students are found for them: a small demo, with
few students on each stage, keeps the first ones."""

from . import argument, collaboration, informative, narrative, problem_solving
from .shapes import Reading, StudentWork, TaskContent, Version

_MODULES = (argument, informative, narrative, problem_solving, collaboration)
TASKS: tuple[TaskContent, ...] = tuple(module.TASK for module in _MODULES)
WORKS: tuple[StudentWork, ...] = tuple(work for module in _MODULES for work in module.WORKS)

__all__ = ["TASKS", "WORKS", "Reading", "StudentWork", "TaskContent", "Version"]
