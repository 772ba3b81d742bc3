"""Import pages for district admins: upload → preview → confirm; and framework pages."""

from django.urls import path

from proficio.interop import views_case, views_oneroster, views_spreadsheet

app_name = "interop"

urlpatterns = [
    path("oneroster/", views_oneroster.upload_page, name="oneroster_upload"),
    path("oneroster/<str:token>/", views_oneroster.preview_page, name="oneroster_preview"),
    path("oneroster/<str:token>/confirm/", views_oneroster.confirm_page, name="oneroster_confirm"),
    path("oneroster/<str:token>/result/", views_oneroster.result_page, name="oneroster_result"),
    path("case/", views_case.case_import, name="case_import"),
    path("case/confirm/", views_case.case_import_confirm, name="case_confirm"),
    path("frameworks/", views_case.framework_list, name="frameworks"),
    path("frameworks/template/", views_spreadsheet.template_page, name="framework_template"),
    path(
        "frameworks/template/<str:extension>/",
        views_spreadsheet.template_download,
        name="framework_template_file",
    ),
    path(
        "frameworks/spreadsheet/", views_spreadsheet.spreadsheet_import, name="spreadsheet_import"
    ),
    path(
        "frameworks/spreadsheet/confirm/",
        views_spreadsheet.spreadsheet_confirm,
        name="spreadsheet_confirm",
    ),
    path("frameworks/<uuid:framework_id>/", views_case.framework_tree, name="framework"),
]
