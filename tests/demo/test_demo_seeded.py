"""The demo is seeded: two loads write the same pathways."""

import pytest
from django.db import transaction
from django.test import override_settings

from proficio.demo import load_demo
from proficio.pathways.models import Advancement, FlexibleGroup, ItemProgress, Playlist, Support

pytestmark = pytest.mark.django_db


def test_the_pathways_are_the_same_on_every_load(tmp_path):
    """Seeded: two loads of a small demo write the same playlists, progress, supports,
    groups and advancement."""

    def loaded() -> tuple:
        with transaction.atomic():
            load_demo(students=12)
            found = (
                sorted(Playlist.objects.values_list("title", "author__username", "shared")),
                sorted(
                    ItemProgress.objects.values_list(
                        "student__username", "item__title", "marked_done_by__username"
                    )
                ),
                sorted(Support.objects.values_list("student__username", "kind", "ends_on")),
                sorted(FlexibleGroup.objects.values_list("group__name", "stage__ordinal")),
                sorted(
                    FlexibleGroup.objects.values_list(
                        "group__name", "group__memberships__student__username"
                    )
                ),
                sorted(Advancement.objects.values_list("student__username", "kind", "decision")),
            )
            transaction.set_rollback(True)
        return found

    with override_settings(MEDIA_ROOT=tmp_path):
        first, second = loaded(), loaded()
    assert first == second
    assert all(first[:3])
