from django.urls import path

from proficio.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("courses/", views.course_list, name="courses"),
    path("courses/new/", views.course_edit, name="course_new"),
    path("courses/<uuid:course_id>/", views.course_edit, name="course_edit"),
    path(
        "<uuid:framework_id>/competencies/new/",
        views.competency_new,
        name="competency_new",
    ),
    path(
        "<uuid:framework_id>/competencies/<uuid:competency_id>/edit/",
        views.competency_edit,
        name="competency_edit",
    ),
    path("new/", views.framework_new, name="framework_new"),
    path("scales/", views.scale_list, name="scales"),
    path("scales/new/", views.scale_new, name="scale_new"),
    path("<uuid:framework_id>/teachers/", views.framework_teachers, name="framework_teachers"),
]
