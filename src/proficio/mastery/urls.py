from django.urls import path

from proficio.mastery import views

app_name = "mastery"

urlpatterns = [
    path("sections/<uuid:section_id>/", views.gradebook_page, name="gradebook"),
    path("students/<uuid:student_id>/", views.student_page, name="student"),
    path(
        "students/<uuid:student_id>/competencies/<uuid:competency_id>/",
        views.student_competency_page,
        name="student_competency",
    ),
]
