"""The work app's public face: performance tasks and giving them out."""

from proficio.work.data import Alignment
from proficio.work.models import Assignment, RevisionPolicy, Task
from proficio.work.permissions import (
    may_see_task,
    may_write_task,
    may_write_tasks,
    tasks_visible_to,
)
from proficio.work.selectors import assignment_students, task_get, task_list_visible_to
from proficio.work.services import task_assign, task_create

__all__ = [
    "Alignment",
    "Assignment",
    "RevisionPolicy",
    "Task",
    "assignment_students",
    "may_see_task",
    "may_write_task",
    "may_write_tasks",
    "task_assign",
    "task_create",
    "task_get",
    "task_list_visible_to",
    "tasks_visible_to",
]
