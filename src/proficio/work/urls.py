from django.urls import path

from proficio.work.views import files, review, student, tasks

app_name = "work"

urlpatterns = [
    path("", student.my_tasks, name="home"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/new", tasks.task_new, name="task_new"),
    path("tasks/<uuid:task_id>", tasks.task_page, name="task"),
    path("tasks/<uuid:task_id>/assign", tasks.task_assign_view, name="task_assign"),
    path("tasks/<uuid:task_id>/rubric", tasks.rubric_save, name="rubric_save"),
    path("tasks/<uuid:task_id>/copy", tasks.task_copy_view, name="task_copy"),
    path("tasks/<uuid:task_id>/resources", tasks.resources_add_view, name="resources_add"),
    path("resources/<uuid:resource_id>", files.task_resource, name="resource"),
    path(
        "tasks/<uuid:task_id>/options/<uuid:option_id>/approve",
        tasks.option_approve_view,
        name="option_approve",
    ),
    path("tasks/<uuid:task_id>/work", student.my_work, name="my_work"),
    path("tasks/<uuid:task_id>/propose", student.propose, name="option_propose"),
    path("review/", review.queue, name="review_queue"),
    path("submissions/<uuid:submission_id>", review.submission_view, name="submission"),
    path("submissions/<uuid:submission_id>/review", review.review_save, name="review_save"),
    path("submissions/<uuid:submission_id>/comments", review.comment_save, name="comment_save"),
    path("files/<uuid:file_id>", files.revision_file, name="file"),
    path("files/<uuid:file_id>/thumbnail", files.revision_file_thumbnail, name="file_thumbnail"),
]
