"""The upload → preview → confirm flow, on a made-up importer of word lists: one that answers
in place (no preview or result page of its own) and one with both pages."""

import os
import stat
import time
from dataclasses import dataclass

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import include, path

from proficio.config.urls import urlpatterns as site_urls
from proficio.home import home_dir
from proficio.lib.imports import (
    Importer,
    Notes,
    Refused,
    Steps,
    Summary,
    UploadShelf,
    count_table,
    import_paths,
)
from proficio.lib.imports.shelf import KEEP_SECONDS
from proficio.people.services import person_create

WRITTEN: list[str] = []


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    line: int | None = None
    field: str | None = None


class WordsForm(forms.Form):
    shout = forms.BooleanField(required=False)


class Words(Importer):
    """Each line of a text file is a word to write; a line with a space in it is a problem."""

    key = "words"
    title = "Import words"
    intro = "One word a line."
    urls = Steps(upload="words:upload", confirm="words:confirm")
    shelf = UploadShelf(folder="uploads/words", suffix=".txt")
    form_class = WordsForm
    max_mb = 1
    field_label = "column"

    def may_use(self, user) -> bool:
        return user.username.startswith("editor")

    def scope(self, user) -> str:
        return user.last_name

    def read(self, upload) -> list[str]:
        words, problems = [], []
        for number, line in enumerate(upload.path.read_text().splitlines(), start=1):
            if " " in line:
                problems.append(Problem(upload.name, "has a space in it", number, "word"))
            words.append(line.upper() if upload.fields["shout"] else line)
        if problems:
            raise Refused(problems)
        return words

    def preview(self, upload, user) -> dict:
        return {"words": self.read(upload)}

    def confirm(self, upload, user) -> dict:
        words = self.read(upload)
        WRITTEN.extend(words)
        return {"words": words}

    def summary(self, report: dict, *, done: bool) -> Summary:
        counts = {"created": {"words": len(report["words"])}}
        return Summary(
            heading="Imported the words" if done else "Preview: the words",
            lead="Words are saved." if done else "Words would be saved.",
            counts=count_table(counts, {"created": "New"}, {"words": "Words"}),
            notes=[Notes("The words", report["words"])],
        )


class PagedWords(Words):
    key = "paged"
    urls = Steps(
        upload="paged:upload",
        preview="paged:preview",
        confirm="paged:confirm",
        result="paged:result",
    )
    shelf = UploadShelf(folder="uploads/paged", suffix=".txt")


WORDS, PAGED = Words(), PagedWords()
urlpatterns = [
    path("words/", include((import_paths(WORDS, upload="", confirm="confirm/"), "words"))),
    path(
        "paged/",
        include(
            (
                import_paths(
                    PAGED,
                    upload="",
                    preview="<str:token>/",
                    confirm="<str:token>/confirm/",
                    result="<str:token>/result/",
                ),
                "paged",
            )
        ),
    ),
    *site_urls,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def own_home(tmp_path, monkeypatch):
    monkeypatch.setenv("PROFICIO_HOME", str(tmp_path / "home"))
    WRITTEN.clear()


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(
        person_create(district=None, username=username, first_name=username, last_name="Tester")
    )
    return client


def words(text: str = "apple\npear\n", name: str = "words.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def kept(folder: str = "words") -> list:
    shelf = home_dir() / "uploads" / folder
    return sorted(shelf.glob("*.txt")) if shelf.exists() else []


def test_upload_preview_confirm_in_place():
    client = signed_in("editor")
    page = client.get("/words/")
    assert page.status_code == 200
    assert "Import words" in page.content.decode() and "At most 1 MB." in page.content.decode()

    preview = client.post("/words/", {"file": words()})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview: the words" in html and "Nothing has been saved yet." in html
    assert "<td>2</td>" in html and "<li>pear</li>" in html
    assert WRITTEN == [], "a preview writes nothing"
    token = preview.context["confirm"].initial["upload"]
    [file] = kept()
    assert file.name.endswith(f"-{token}.txt") and stat.S_IMODE(file.stat().st_mode) == 0o600

    result = client.post("/words/confirm/", {"upload": token})
    assert result.status_code == 200 and "Imported the words" in result.content.decode()
    assert WRITTEN == ["apple", "pear"]
    assert kept() == []
    assert client.post("/words/confirm/", {"upload": token}).status_code == 404


def test_the_options_chosen_with_the_file_are_kept_with_it_not_sent_back():
    client = signed_in("editor")
    preview = client.post("/words/", {"file": words(), "shout": "on"})
    assert "APPLE" in preview.content.decode()
    token = preview.context["confirm"].initial["upload"]
    client.post("/words/confirm/", {"upload": token, "shout": ""})
    assert WRITTEN == ["APPLE", "PEAR"]


def test_a_refused_file_shows_its_located_problems_and_is_not_kept():
    client = signed_in("editor")
    response = client.post("/words/", {"file": words("apple\ntwo words\n")})
    html = response.content.decode()
    assert response.status_code == 422
    assert "This file cannot be imported" in html
    assert "Nothing was imported: the file has 1 problem." in html
    assert "words.txt, line 2 · column <code>word</code></span> has a space in it" in html
    assert response.context["confirm"] is None
    assert kept() == [] and WRITTEN == []


def test_cancelling_forgets_the_upload():
    client = signed_in("editor")
    token = client.post("/words/", {"file": words()}).context["confirm"].initial["upload"]
    response = client.post("/words/confirm/", {"upload": token, "cancel": "1"}, follow=True)
    assert "The import was cancelled; nothing was written." in response.content.decode()
    assert kept() == [] and WRITTEN == []
    assert client.post("/words/confirm/", {"upload": token}).status_code == 404


def test_a_file_too_large_or_missing_is_asked_for_again():
    client = signed_in("editor")
    too_large = client.post("/words/", {"file": words("a" * (1024 * 1024 + 1))})
    missing = client.post("/words/", {})
    for response in (too_large, missing):
        assert response.status_code == 422
        assert "Please choose the file again." in response.content.decode()
    assert "The file is larger than 1 MB." in too_large.content.decode()
    assert kept() == []


def test_a_site_limit_below_the_importers_is_the_one_shown_and_applied(settings, monkeypatch):
    monkeypatch.setattr(Words, "max_mb", 5)
    settings.PROFICIO_MAX_UPLOAD_MB = 1
    client = signed_in("editor")
    assert "At most 1 MB." in client.get("/words/").content.decode()
    too_large = client.post("/words/", {"file": words("a" * (1024 * 1024 + 1))})
    assert "The file is larger than 1 MB." in too_large.content.decode()


def test_with_pages_of_its_own_each_step_redirects():
    client = signed_in("editor")
    upload = client.post("/paged/", {"file": words()})
    assert upload.status_code == 302
    preview_url = upload["Location"]
    assert client.get(preview_url).status_code == 200
    assert f'action="{preview_url}confirm/"' in client.get(preview_url).content.decode()

    done = client.post(preview_url + "confirm/")
    assert done.status_code == 302 and WRITTEN == ["apple", "pear"]
    result = client.get(done["Location"])
    assert result.status_code == 200 and "Imported the words" in result.content.decode()
    assert client.get(preview_url).status_code == 404
    assert signed_in("editor2").get(done["Location"]).status_code == 404


def test_a_refused_preview_page_forgets_the_upload():
    client = signed_in("editor")
    preview_url = client.post("/paged/", {"file": words("two words\n")})["Location"]
    assert client.get(preview_url).status_code == 422
    assert kept("paged") == []
    assert client.get(preview_url).status_code == 404


@pytest.mark.parametrize("url", ["/words/", "/words/confirm/", "/paged/", "/paged/x/confirm/"])
def test_someone_not_signed_in_is_sent_to_sign_in(url):
    response = Client().post(url, {"file": words()})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert kept() == [] and kept("paged") == []


def test_anyone_the_importer_does_not_allow_finds_no_page():
    editor = signed_in("editor")
    token = editor.post("/words/", {"file": words()}).context["confirm"].initial["upload"]
    preview_url = editor.post("/paged/", {"file": words()})["Location"]
    stranger = signed_in("stranger")
    assert stranger.get("/words/").status_code == 404
    assert stranger.post("/words/", {"file": words()}).status_code == 404
    assert stranger.post("/words/confirm/", {"upload": token}).status_code == 404
    assert stranger.get(preview_url).status_code == 404
    assert stranger.post(preview_url + "confirm/").status_code == 404
    assert len(kept()) == 1 and WRITTEN == []


def test_only_the_uploader_confirms_an_upload():
    editor = signed_in("editor")
    token = editor.post("/words/", {"file": words()}).context["confirm"].initial["upload"]
    preview_url = editor.post("/paged/", {"file": words()})["Location"]
    other = signed_in("editor2")
    assert other.post("/words/confirm/", {"upload": token}).status_code == 404
    assert other.get(preview_url).status_code == 404
    assert other.post(preview_url + "confirm/").status_code == 404
    assert WRITTEN == []


def test_a_token_in_the_address_and_another_in_the_form_is_no_upload():
    client = signed_in("editor")
    first = client.post("/paged/", {"file": words()})["Location"]
    second = client.post("/paged/", {"file": words()})["Location"]
    other_token = second.rstrip("/").rpartition("/")[2]
    assert client.post(first + "confirm/", {"upload": other_token}).status_code == 404
    assert WRITTEN == []


def test_an_upload_for_another_scope_is_not_found():
    client = signed_in("editor")
    preview_url = client.post("/paged/", {"file": words()})["Location"]
    from proficio.people.models import Person

    Person.objects.filter(username="editor").update(last_name="elsewhere")
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url + "confirm/").status_code == 404


def test_uploads_are_swept_away_after_a_day():
    client = signed_in("editor")
    old_url = client.post("/paged/", {"file": words()})["Location"]
    [old] = kept("paged")
    a_day_ago = time.time() - KEEP_SECONDS - 60
    os.utime(old, (a_day_ago, a_day_ago))
    client.post("/paged/", {"file": words()})
    assert old not in kept("paged") and len(kept("paged")) == 1
    assert client.get(old_url).status_code == 404


def test_a_page_needs_both_a_route_and_a_name():
    with pytest.raises(ValueError, match="preview"):
        import_paths(WORDS, upload="", confirm="confirm/", preview="<str:token>/")


def test_the_count_table_shows_what_counts_anything():
    counts = {"created": {"a": 2}, "updated": {}, "skipped": {"b": 1}}
    columns = {"created": "New", "updated": "Changed", "skipped": "Left out", "gone": "Gone"}
    table = count_table(counts, columns, {"a": "A", "b": "B", "c": "C"}, always=("updated",))
    assert table.columns == ["New", "Changed", "Left out"]
    assert table.rows == [("A", [2, 0, 0]), ("B", [0, 0, 1])]
    every = count_table(counts, columns, {"a": "A", "c": "C"}, every_kind=True)
    assert every.rows == [("A", [2, 0]), ("C", [0, 0])]
