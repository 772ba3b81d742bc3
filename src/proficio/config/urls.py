from django.contrib import admin
from django.urls import include, path

from proficio.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("imports/", include("proficio.interop.urls")),
    path("xapi/", include("proficio.lrs.urls")),
    path("lrs/", include("proficio.lrs.page_urls")),
    path("lti/", include("proficio.lti.urls")),
    path("webhooks/", include("proficio.webhooks.urls")),
    path("privacy/", include("proficio.privacy.urls")),
    path("setup/", include("proficio.onboarding.urls")),
    path("frameworks/", include("proficio.frameworks.urls")),
    path("work/", include("proficio.work.urls")),
    path("pathways/", include("proficio.pathways.urls")),
    path("agency/", include("proficio.agency.urls")),
    path("calibration/", include("proficio.calibration.urls")),
    path("reports/", include("proficio.reports.urls")),
    path("", include("proficio.reports.records_urls")),
    path("ims/case/v1p1/", include("proficio.interop.case.rest")),
    path("", include("proficio.web.urls")),
]
