from django.urls import path

from proficio.reports import (
    batch_urls,
    bridge_urls,
    dashboard_urls,
    design_urls,
    transcript_views,
    views,
)

app_name = "reports"

urlpatterns = [
    path(
        "students/<uuid:student_id>/progress/",
        views.progress_page,
        name="progress",
    ),
    path(
        "students/<uuid:student_id>/progress.pdf",
        views.progress_pdf,
        name="progress_pdf",
    ),
    path(
        "students/<uuid:student_id>/transcript/",
        transcript_views.transcript_page,
        name="transcript",
    ),
    path(
        "students/<uuid:student_id>/transcript/issue",
        transcript_views.transcript_issue_view,
        name="transcript_issue",
    ),
    path("transcripts/<uuid:transcript_id>/", transcript_views.issued_page, name="issued"),
    path("transcripts/<uuid:transcript_id>.pdf", transcript_views.issued_pdf, name="issued_pdf"),
    path("credits/", transcript_views.credits_page, name="credits"),
    path("transcript-format/", transcript_views.transcript_format_page, name="transcript_format"),
    # Public: anyone holding a transcript's code checks it, and learns nothing else.
    path("verify/", transcript_views.verify_page, name="verify"),
    *design_urls.urlpatterns,
    *dashboard_urls.urlpatterns,
    *bridge_urls.urlpatterns,
    *batch_urls.urlpatterns,
]
