from django.urls import path

from proficio.reports import dashboard_views

urlpatterns = [
    # A section's students × competencies against the stage expected for their age-grade:
    # the section's teachers and its school's (and district's) admins.
    path(
        "sections/<uuid:section_id>/heatmap/",
        dashboard_views.heatmap_page,
        name="heatmap",
    ),
    # A school's (or, for its admins, the district's) dashboard and its equity view; the
    # school is chosen with ?school=<uuid> among those the admin administers.
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("dashboard/equity/", dashboard_views.equity_page, name="dashboard_equity"),
]
