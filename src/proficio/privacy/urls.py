from django.urls import path

from proficio.privacy import views

app_name = "privacy"

urlpatterns = [
    path("students/", views.student_data_requests, name="requests"),
    path("students/<str:student_id>/", views.student_data_page, name="student"),
    path("students/<str:student_id>/export.zip", views.student_data_export, name="export"),
]
