from django.urls import path

from proficio.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path(
        "<uuid:framework_id>/competencies/new/",
        views.competency_new,
        name="competency_new",
    ),
]
