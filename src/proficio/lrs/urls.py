"""/xapi/: the Learning Record Store's resources, at the addresses xAPI 1.0.3 names."""

from django.urls import path

from proficio.lrs import views

app_name = "lrs"

urlpatterns = [
    path("statements", views.statements, name="statements"),
    path("activities/state", views.activity_state, name="activity_state"),
    path("activities/profile", views.activity_profile, name="activity_profile"),
    path("activities", views.activities, name="activities"),
    path("agents/profile", views.agent_profile, name="agent_profile"),
    path("agents", views.agents, name="agents"),
    path("about", views.about, name="about"),
]
