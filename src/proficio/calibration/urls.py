from django.urls import path

from proficio.calibration import drift_views, session_views, views

app_name = "calibration"

urlpatterns = [
    path("", session_views.home, name="home"),
    path("sessions/new", session_views.session_new, name="session_new"),
    path("sessions/<uuid:session_id>/", session_views.session_page, name="session"),
    path("sessions/<uuid:session_id>/ratings", session_views.session_rate, name="session_rate"),
    path(
        "sessions/<uuid:session_id>/reveal",
        session_views.session_reveal_view,
        name="session_reveal",
    ),
    path("pieces/<uuid:piece_id>/consensus", session_views.piece_consensus, name="consensus"),
    path("pieces/<uuid:piece_id>/promote", session_views.piece_promote_view, name="promote"),
    path("piece-files/<uuid:file_id>", session_views.piece_file, name="piece_file"),
    path("exemplars/", views.library, name="library"),
    path("exemplars/new", views.exemplar_new, name="exemplar_new"),
    path("exemplars/<uuid:exemplar_id>/", views.exemplar_page, name="exemplar"),
    path(
        "exemplars/<uuid:exemplar_id>/confirm",
        views.exemplar_confirm_view,
        name="exemplar_confirm",
    ),
    path(
        "exemplars/<uuid:exemplar_id>/withdraw",
        views.exemplar_withdraw_view,
        name="exemplar_withdraw",
    ),
    path("exemplar-files/<uuid:file_id>", views.exemplar_file, name="exemplar_file"),
    path("examples/", views.examples, name="examples"),
    path("practice/<uuid:competency_id>/", views.practice, name="practice"),
    path("drift/", drift_views.my_drift, name="drift"),
    path("drift/teachers/", drift_views.everyone_drift, name="everyone_drift"),
    path("settings", drift_views.settings_change, name="settings"),
]
