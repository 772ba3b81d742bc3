from django.urls import path

from proficio.agency import mentor_views, views

app_name = "agency"

urlpatterns = [
    path("goals/", views.my_goals, name="goals"),
    path("goals/new/", views.goal_new, name="goal_new"),
    path("goals/<uuid:goal_id>/", views.goal_page, name="goal"),
    path("goals/<uuid:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<uuid:goal_id>/steps/<int:step_id>", views.goal_step, name="goal_step"),
    path("goals/<uuid:goal_id>/status", views.goal_status, name="goal_status"),
    path("goals/<uuid:goal_id>/comments", views.goal_comment_view, name="goal_comment"),
    path("students/<uuid:student_id>/goals/", views.student_goals, name="student_goals"),
    path("students/<uuid:student_id>/check-ins", views.check_in_new, name="check_in_new"),
    path(
        "check-ins/<uuid:check_in_id>/reflection",
        views.check_in_reflection,
        name="check_in_reflection",
    ),
    path("mentoring/", views.mentoring, name="mentoring"),
    path("mentors/", mentor_views.mentors_page, name="mentors"),
    path("mentors/cadence", mentor_views.cadence_view, name="cadence"),
    path(
        "mentorships/<uuid:mentorship_id>/end",
        mentor_views.mentorship_end_view,
        name="mentorship_end",
    ),
]
