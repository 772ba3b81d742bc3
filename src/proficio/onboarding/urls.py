from django.urls import path

from proficio.onboarding import views

app_name = "onboarding"
urlpatterns = [path("", views.setup_page, name="setup")]
