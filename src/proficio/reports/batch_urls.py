from django.urls import path

from proficio.reports import batch_views

urlpatterns: list = [
    path("progress-reports/", batch_views.batches_page, name="batches"),
    path("progress-reports/new/", batch_views.batch_new, name="batch_new"),
    path("progress-reports/<uuid:batch_id>/", batch_views.batch_page, name="batch"),
    path(
        "progress-reports/<uuid:batch_id>.zip",
        batch_views.batch_download,
        name="batch_download",
    ),
]
