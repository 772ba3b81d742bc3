"""Import pages for district admins: upload → preview → confirm."""

app_name = "interop"

urlpatterns: list = []
