"""The design choices page and the implementation plan, in the reports namespace."""

from django.urls import path

from proficio.reports import design_views

urlpatterns = [
    path("design/", design_views.design_page, name="design"),
    path("implementation/", design_views.implementation_page, name="implementation"),
]
