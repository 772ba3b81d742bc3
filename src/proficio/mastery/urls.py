from django.urls import path

from proficio.mastery import (
    correction_views,
    file_views,
    policy_views,
    preview_views,
    trajectory_views,
    views,
)

app_name = "mastery"

urlpatterns = [
    path("policies/", policy_views.policies_page, name="policies"),
    path("policies/form/", policy_views.policy_form_fields, name="policy_form"),
    path("policies/preview/", policy_views.policy_preview_part, name="policy_preview"),
    path(
        "policies/previews/<uuid:preview_id>/",
        policy_views.policy_preview_run_part,
        name="policy_preview_run",
    ),
    path(
        "policies/recomputes/<uuid:run_id>/",
        policy_views.recompute_run_part,
        name="recompute_run",
    ),
    path(
        "competencies/<uuid:competency_id>/preview/",
        preview_views.competency_preview,
        name="competency_preview",
    ),
    path("sections/<uuid:section_id>/", views.gradebook_page, name="gradebook"),
    path("evidence-files/<uuid:file_id>", file_views.evidence_file, name="evidence_file"),
    path(
        "evidence-files/<uuid:file_id>/thumbnail",
        file_views.evidence_file_thumbnail,
        name="evidence_file_thumbnail",
    ),
    path("students/<uuid:student_id>/", views.student_page, name="student"),
    path(
        "students/<uuid:student_id>/competencies/<uuid:competency_id>/",
        views.student_competency_page,
        name="student_competency",
    ),
    path(
        "students/<uuid:student_id>/competencies/<uuid:competency_id>/trajectory/",
        trajectory_views.student_trajectory,
        name="student_trajectory",
    ),
    path(
        "students/<uuid:student_id>/competencies/<uuid:competency_id>/evidence/<uuid:evidence_id>/correct/",
        correction_views.evidence_correct_page,
        name="evidence_correct",
    ),
    path(
        "students/<uuid:student_id>/competencies/<uuid:competency_id>/evidence/<uuid:evidence_id>/withdraw/",
        correction_views.evidence_withdraw_page,
        name="evidence_withdraw",
    ),
]
