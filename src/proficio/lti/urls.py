"""/lti/…: the endpoints an LMS calls, the launch's own pages, and the admin's page."""

from django.urls import path

from proficio.lti import page_views, views

app_name = "lti"

urlpatterns = [
    path("", page_views.platforms_page, name="platforms"),
    path("jwks.json", views.jwks, name="jwks"),
    path("login/", views.login_init, name="login"),
    path("launch/", views.launch, name="launch"),
    path("register/<str:token>/", views.register, name="register"),
    path("deep-link/", views.deep_link, name="deep_link"),
    path("section/", views.section_choose, name="section"),
]
