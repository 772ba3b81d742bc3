"""/lrs/: the store's pages for people (the resources for tools are under /xapi/)."""

from django.urls import path

from proficio.lrs import page_views

app_name = "lrs_pages"

urlpatterns = [
    path("", page_views.tools_page, name="tools"),
    path("mapping/", page_views.mapping_page, name="mapping"),
]
