from django.urls import path

from proficio.work.views import files

app_name = "work"

urlpatterns = [
    path("files/<uuid:file_id>", files.revision_file, name="file"),
    path("files/<uuid:file_id>/thumbnail", files.revision_file_thumbnail, name="file_thumbnail"),
]
