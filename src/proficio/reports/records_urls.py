"""Learner records (ADR 0043), mounted at the site's root: the issuer's key set must be at
`/.well-known/jwks.json`; the rest under `/records/`."""

from django.urls import path

from proficio.reports import credential_views

app_name = "records"

urlpatterns = [
    # Public: the issuer's public keys and profile, a shared link, verification.
    path(".well-known/jwks.json", credential_views.jwks_view, name="jwks"),
    path("records/issuers/<uuid:district_id>", credential_views.issuer_view, name="issuer"),
    path("records/shared/<str:code>", credential_views.shared_record, name="shared"),
    path("records/verify", credential_views.verify_view, name="verify"),
    # Whoever reads the student's transcript; sharing is the student's alone.
    path("records/students/<uuid:student_id>/", credential_views.record_page, name="record"),
    path(
        "records/students/<uuid:student_id>/record.json",
        credential_views.record_download,
        name="download",
    ),
    path("records/links/<uuid:link_id>/revoke", credential_views.link_revoke, name="revoke"),
]
