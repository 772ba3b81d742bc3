"""The work app's public face: performance tasks, giving them out, students' revisions and
the reviews that rate them into evidence."""

from proficio.work.data import Alignment, SelfRating, WorkRating
from proficio.work.models import (
    Assignment,
    Review,
    ReviewDecision,
    Revision,
    RevisionPolicy,
    Submission,
    Task,
)
from proficio.work.permissions import (
    may_see_submission,
    may_see_task,
    may_write_task,
    may_write_tasks,
    submissions_visible_to,
    tasks_visible_to,
)
from proficio.work.selectors import (
    assignment_progress,
    assignment_students,
    recent_work_of,
    submission_get,
    submission_status,
    task_get,
    task_library,
    task_list_visible_to,
)
from proficio.work.services import (
    option_approve,
    option_propose,
    review_record,
    revision_save,
    task_assign,
    task_copy,
    task_create,
)

__all__ = [
    "Alignment",
    "Assignment",
    "Review",
    "ReviewDecision",
    "Revision",
    "RevisionPolicy",
    "SelfRating",
    "Submission",
    "Task",
    "WorkRating",
    "assignment_progress",
    "assignment_students",
    "may_see_submission",
    "may_see_task",
    "may_write_task",
    "may_write_tasks",
    "option_approve",
    "option_propose",
    "recent_work_of",
    "review_record",
    "revision_save",
    "submission_get",
    "submission_status",
    "submissions_visible_to",
    "task_assign",
    "task_copy",
    "task_create",
    "task_get",
    "task_library",
    "task_list_visible_to",
    "tasks_visible_to",
]
