from django.contrib.auth import views as auth_views
from django.urls import include, path

from proficio.web import account_views, audit_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("family/", views.guardian_home, name="guardian_home"),
    path("audit/", audit_views.audit_page, name="audit"),
    path("audit/export.csv", audit_views.audit_export, name="audit_export"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", account_views.account, name="account"),
    path(
        "accounts/tokens/<uuid:token_id>/revoke/",
        account_views.api_token_revoke_page,
        name="api_token_revoke",
    ),
    path("accounts/password/", account_views.password_change, name="password_change"),
    path(
        "accounts/password/changed/",
        account_views.password_change_done,
        name="password_change_done",
    ),
    path("accounts/password/reset/", account_views.password_reset, name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        account_views.password_reset_done,
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        account_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        account_views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("language", account_views.language_choose, name="language"),
    path("", include("proficio.mastery.urls")),
]
