"""Import pages for district admins (upload → preview → confirm, see `importers` and
`results.importer`); the mapping of standardized results; the OneRoster results export; and
the framework pages."""

from django.urls import path

from proficio.interop import views_case, views_oneroster, views_spreadsheet
from proficio.interop.importers import CASE, ROSTER, SPREADSHEET
from proficio.interop.results import views as results_views
from proficio.interop.results.importer import RESULTS
from proficio.lib.imports import import_paths

app_name = "interop"

urlpatterns = [
    path("oneroster-results/", views_oneroster.results_export_page, name="oneroster_results"),
    path(
        "oneroster-results/package.zip",
        views_oneroster.results_export_download,
        name="oneroster_results_file",
    ),
    *import_paths(
        ROSTER,
        upload="oneroster/",
        preview="oneroster/<str:token>/",
        confirm="oneroster/<str:token>/confirm/",
        result="oneroster/<str:token>/result/",
    ),
    *import_paths(CASE, upload="case/", confirm="case/confirm/"),
    path("results/", results_views.mapping_page, name="results_mapping"),
    *import_paths(RESULTS, upload="results/import/", confirm="results/import/confirm/"),
    path("frameworks/", views_case.framework_list, name="frameworks"),
    path("frameworks/template/", views_spreadsheet.template_page, name="framework_template"),
    path(
        "frameworks/template/<str:extension>/",
        views_spreadsheet.template_download,
        name="framework_template_file",
    ),
    *import_paths(
        SPREADSHEET, upload="frameworks/spreadsheet/", confirm="frameworks/spreadsheet/confirm/"
    ),
    path("frameworks/<uuid:framework_id>/", views_case.framework_tree, name="framework"),
    path(
        "frameworks/<uuid:framework_id>/case.json",
        views_case.framework_case_download,
        name="framework_case",
    ),
    path(
        "frameworks/<uuid:framework_id>/trajectories.<str:extension>",
        views_case.framework_spreadsheet_download,
        name="framework_spreadsheet",
    ),
]
