from django.urls import path

from proficio.agency import (
    conference_views,
    family_views,
    mentor_views,
    portfolio_views,
    views,
)

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
    path("weekly-email", views.digest_choice, name="digest_choice"),
    path("conferences/", conference_views.my_conferences, name="conferences"),
    path("conferences/new", conference_views.conference_new, name="conference_new"),
    path(
        "conferences/<uuid:conference_id>/",
        conference_views.conference_page,
        name="conference",
    ),
    path(
        "conferences/<uuid:conference_id>/edit",
        conference_views.conference_edit_view,
        name="conference_edit",
    ),
    path(
        "conferences/<uuid:conference_id>/record",
        conference_views.conference_record_view,
        name="conference_record",
    ),
    path(
        "conferences/<uuid:conference_id>/acknowledge",
        conference_views.conference_acknowledge_view,
        name="conference_acknowledge",
    ),
    path(
        "conferences/<uuid:conference_id>/family-note",
        conference_views.family_note_view,
        name="family_note",
    ),
    path(
        "conferences/<uuid:conference_id>/next-steps/<int:step_id>/goal",
        conference_views.next_step_goal_view,
        name="next_step_goal",
    ),
    path(
        "conferences/<uuid:conference_id>/present",
        conference_views.conference_present,
        name="conference_present",
    ),
    path(
        "conferences/<uuid:conference_id>/script",
        conference_views.conference_script,
        name="conference_script",
    ),
    path(
        "students/<uuid:student_id>/conferences/",
        conference_views.student_conferences,
        name="student_conferences",
    ),
    path("portfolio/", portfolio_views.my_portfolio, name="portfolio"),
    path("portfolio/new/", portfolio_views.piece_new, name="piece_new"),
    path("pieces/<uuid:piece_id>/", portfolio_views.piece_page, name="piece"),
    path("pieces/<uuid:piece_id>/change", portfolio_views.piece_change_view, name="piece_change"),
    path("pieces/<uuid:piece_id>/remove", portfolio_views.piece_remove_view, name="piece_remove"),
    path("pieces/<uuid:piece_id>/file", portfolio_views.piece_file, name="piece_file"),
    path(
        "students/<uuid:student_id>/portfolio/",
        portfolio_views.student_portfolio,
        name="student_portfolio",
    ),
    path(
        "students/<uuid:student_id>/portfolio.pdf",
        portfolio_views.portfolio_pdf_view,
        name="portfolio_pdf",
    ),
    path(
        "conferences/<uuid:conference_id>/conference.pdf",
        conference_views.conference_pdf_view,
        name="conference_pdf",
    ),
    path(
        "students/<uuid:student_id>/portfolio.zip",
        portfolio_views.portfolio_download,
        name="portfolio_download",
    ),
    path("mentors/", mentor_views.mentors_page, name="mentors"),
    path("family-settings/", family_views.family_settings_page, name="family_settings"),
    path("mentors/cadence", mentor_views.cadence_view, name="cadence"),
    path(
        "mentorships/<uuid:mentorship_id>/end",
        mentor_views.mentorship_end_view,
        name="mentorship_end",
    ),
]
