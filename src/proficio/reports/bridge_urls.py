"""The age-grade bridge and the implementation dashboard, in the reports namespace."""

from django.urls import path

from proficio.reports import bridge_views, implementation_dashboard_views

urlpatterns = [
    path("bridge/", bridge_views.bridge_page, name="bridge"),
    path(
        "bridge/sections/<uuid:section_id>/",
        bridge_views.bridge_section_page,
        name="bridge_section",
    ),
    path(
        "implementation/dashboard/",
        implementation_dashboard_views.implementation_dashboard_page,
        name="implementation_dashboard",
    ),
]
