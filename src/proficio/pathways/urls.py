from django.urls import path

from proficio.pathways import advancement_views, views

app_name = "pathways"

urlpatterns = [
    path("next/", views.my_next_steps, name="next_steps"),
    path("students/<uuid:student_id>/next/", views.student_next_steps, name="student_next_steps"),
    path("items/<uuid:item_id>/start", views.item_start_view, name="item_start"),
    path("items/<uuid:item_id>/done", views.item_done_view, name="item_done"),
    path("items/<uuid:item_id>/file", views.item_attachment, name="item_attachment"),
    path("today/", advancement_views.today, name="today"),
    path("gate/", advancement_views.gate_page, name="gate"),
    path("gate/group-sizes", advancement_views.group_sizes_view, name="group_sizes"),
    path("groups/", advancement_views.groups_page, name="groups"),
    path("groups/<uuid:group_id>", advancement_views.group_page, name="group"),
    path(
        "advancements/<uuid:advancement_id>",
        advancement_views.advancement_page,
        name="advancement",
    ),
    path(
        "advancements/<uuid:advancement_id>/confirm",
        advancement_views.advancement_confirm_view,
        name="advancement_confirm",
    ),
    path(
        "advancements/<uuid:advancement_id>/decide",
        advancement_views.advancement_decide_view,
        name="advancement_decide",
    ),
    path(
        "students/<uuid:student_id>/accelerate",
        advancement_views.accelerate_view,
        name="accelerate",
    ),
    path("students/<uuid:student_id>/supports", views.support_add_view, name="support_add"),
    path("supports/<uuid:support_id>/end", views.support_end_view, name="support_end"),
    path("playlists/", views.playlists, name="playlists"),
    path("playlists/<uuid:playlist_id>", views.playlist_page, name="playlist"),
    path("playlists/<uuid:playlist_id>/items", views.item_add_view, name="item_add"),
    path("playlists/<uuid:playlist_id>/copy", views.playlist_copy_view, name="playlist_copy"),
]
