"""/webhooks/: the district admin's page."""

from django.urls import path

from proficio.webhooks import page_views

app_name = "webhooks"

urlpatterns = [path("", page_views.webhooks_page, name="page")]
