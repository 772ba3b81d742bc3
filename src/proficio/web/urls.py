from django.contrib.auth import views as auth_views
from django.urls import include, path

from proficio.web import audit_views, views

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
    path("", include("proficio.mastery.urls")),
]
