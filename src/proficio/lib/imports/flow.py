"""One upload → preview → confirm flow for every import page.

An importer describes itself (an `Importer` subclass): its title and file, the extra fields of
its upload form, who may use it, how to preview a file (check everything, write nothing), how to
import it, and how to summarise either for the pages. `import_paths` gives it the views, which
render the shared templates in lib/imports/ and the importer's own details partial.

The file waits on the importer's `UploadShelf` between the steps, named for its owner; the
session records the uploads it made (with the file's name and the form's other fields), so only
the person who uploaded a file previews, confirms or cancels it, once. An upload imported,
cancelled, refused or expired is a 404, and every page is a 404 to anyone the importer does not
allow.

An importer whose `urls` name a preview page answers an upload with a redirect to it, else with
the preview itself; likewise with a result page, whose report is then kept in the session (so
it must be JSON-serialisable).

An importer with a `choices_form` lets the preview page change how the file is imported
(rename the district, make a separate one): the choices travel in the preview's query string
and the confirm form, so what is imported is what was previewed. A refusal may offer remedies,
choices that would let the file import; the file is then kept for them.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.lib.http.body_limit import takes_uploads
from proficio.lib.imports.report import Refused, Remedy, Summary
from proficio.lib.imports.shelf import UPLOAD_TOKEN, UploadShelf, size_limit

User = Any  # the signed-in person: lib names no app's model
KEPT_RESULTS = 10  # the latest results a session keeps for an importer's result page


@dataclass(frozen=True)
class Steps:
    """The URL names of an importer's pages ("interop:case_import"). Without a preview (or a
    result) page, the upload (or the confirm) step answers with it directly."""

    upload: str
    confirm: str
    preview: str | None = None
    result: str | None = None


@dataclass(frozen=True)
class Upload:
    """A kept upload: its token, where it waits, the file's own name, the form's other fields,
    and the choices made on the preview page (field → the value as posted)."""

    token: str
    path: Path
    name: str
    fields: dict = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)


class Importer(ABC):
    """What an import page is: subclass it, set the attributes, write the abstract methods."""

    key: ClassVar[str]  # names its entries in the session
    title: ClassVar[str]  # the upload page's heading: "Import a roster"
    urls: ClassVar[Steps]
    shelf: ClassVar[UploadShelf]
    intro: ClassVar[str] = ""  # the sentence under the upload page's heading
    guidance: ClassVar[Sequence[str]] = ()  # what to know before choosing the file
    parents: ClassVar[Sequence[tuple[str, str]]] = ()  # breadcrumbs above it: (label, URL name)
    links: ClassVar[Sequence[tuple[str, str]]] = ()  # pages that help: (label, URL name)
    # The file: its form field, what the file chooser offers, how large it may be.
    file_field: ClassVar[str] = "file"
    file_label: ClassVar[str] = gettext_lazy("File")
    file_help: ClassVar[str] = ""
    accept: ClassVar[str] = ""
    max_mb: ClassVar[int] = 25
    form_class: ClassVar[type[forms.Form]] = forms.Form  # the upload step's other fields
    choices_form: ClassVar[type[forms.Form] | None] = None  # the preview's choices, all optional
    noun: ClassVar[str] = gettext_lazy("file")  # "Nothing was imported: the file has 2 problems."
    field_label: ClassVar[str] = ""  # what a problem's field is: "column"
    problems_hint: ClassVar[str] = ""  # how to mend a refused file
    details_template: ClassVar[str] = ""  # the partial with what only this importer reports

    @abstractmethod
    def may_use(self, user: User) -> bool:
        """Whether `user` may import here; to anyone else the pages do not exist."""

    def scope(self, user: User) -> object:
        """What an upload is for, when that can change between the steps (JSON-serialisable):
        a later step for another scope finds no upload."""
        return None

    def introduce(self, user: User) -> str:
        """The upload page's introduction for `user`."""
        return str(self.intro)

    @abstractmethod
    def preview(self, upload: Upload, user: User) -> Any:
        """Check the whole file and report what importing it would do; write nothing. Raises
        `Refused` with every problem found."""

    @abstractmethod
    def confirm(self, upload: Upload, user: User) -> Any:
        """Import the file, checked again; the report of what was done, or `Refused`."""

    @abstractmethod
    def summary(self, report: Any, *, done: bool) -> Summary:
        """What the preview page (or, once `done`, the result page) shows of `report`."""

    def choice_form(self, report: Any, upload: Upload) -> forms.Form | None:
        """The choices the preview page of `report` offers (a `choices_form` holding only the
        fields that matter to it, set as `upload.choices` says), or None."""
        return None

    def upload_form(self, data=None, files=None) -> forms.Form:
        """The file chooser, then `form_class`'s fields."""
        form = self.form_class(data, files)
        # A site may accept less than the importer can read (PROFICIO_MAX_UPLOAD_MB): say that.
        max_mb = min(self.max_mb, settings.PROFICIO_MAX_UPLOAD_MB)
        limit = _("At most %(size)s MB.") % {"size": max_mb}
        chooser = forms.FileField(
            label=self.file_label,
            help_text=f"{self.file_help} {limit}" if self.file_help else limit,
            validators=[size_limit(max_mb)],
            widget=forms.FileInput(attrs={"accept": self.accept} if self.accept else {}),
        )
        form.fields = {self.file_field: chooser, **form.fields}
        return form


class ConfirmForm(forms.Form):
    upload = forms.RegexField(regex=UPLOAD_TOKEN, widget=forms.HiddenInput)


def _owner(request: HttpRequest) -> str:
    return str(request.user.pk)


def _entries(request: HttpRequest, importer: Importer, what: str) -> dict:
    return request.session.get(f"imports:{importer.key}:{what}", {})


def _set_entries(request: HttpRequest, importer: Importer, what: str, entries: dict) -> None:
    request.session[f"imports:{importer.key}:{what}"] = entries


def _keep(request: HttpRequest, importer: Importer, form: forms.Form) -> Upload:
    chosen = form.cleaned_data[importer.file_field]
    name = Path(chosen.name).name[:255]
    fields = {k: v for k, v in form.cleaned_data.items() if k != importer.file_field}
    token = importer.shelf.keep(chosen, _owner(request))
    uploads = {
        kept: entry
        for kept, entry in _entries(request, importer, "uploads").items()
        if importer.shelf.is_kept(kept, _owner(request))  # forget what was swept away
    }
    uploads[token] = {"name": name, "fields": fields, "scope": importer.scope(request.user)}
    _set_entries(request, importer, "uploads", uploads)
    kept = importer.shelf.kept(token, _owner(request))
    return Upload(token=token, path=kept, name=name, fields=fields)


def _chosen(importer: Importer, data) -> dict[str, str]:
    """The choices `data` makes (a query string or a posted form), as posted; none if invalid."""
    if importer.choices_form is None:
        return {}
    form = importer.choices_form(data)
    if not form.is_valid():
        return {}
    return {name: data[name] for name, value in form.cleaned_data.items() if value}


def _kept(request: HttpRequest, importer: Importer, token: str, data=None) -> Upload:
    """The upload this session made under `token`, for what it is still for, with the choices
    `data` makes; or 404."""
    entry = _entries(request, importer, "uploads").get(token)
    if entry is None or entry["scope"] != importer.scope(request.user):
        raise Http404(_("No such upload: it was imported, cancelled or has expired."))
    kept = importer.shelf.kept(token, _owner(request))
    return Upload(
        token=token,
        path=kept,
        name=entry["name"],
        fields=entry["fields"],
        choices=_chosen(importer, data or {}),
    )


def _discard(request: HttpRequest, importer: Importer, token: str) -> None:
    importer.shelf.discard(token, _owner(request))
    uploads = _entries(request, importer, "uploads")
    if uploads.pop(token, None) is not None:
        _set_entries(request, importer, "uploads", uploads)


def _context(importer: Importer, *, step: str = "", name: str = "", **more) -> dict:
    """What every page shows: breadcrumbs to the upload page and on to `step`, the links."""
    upload_url = reverse(importer.urls.upload)
    parents = [(label, reverse(url_name)) for label, url_name in importer.parents]
    here = [(importer.title, upload_url), (step, None)] if step else [(importer.title, None)]
    return {
        "importer": importer,
        "name": name,
        "crumbs": parents + here if parents or step else [],
        "upload_url": upload_url,
        "help_links": [(label, reverse(url_name)) for label, url_name in importer.links],
        **more,
    }


def _preview(request: HttpRequest, importer: Importer, upload: Upload) -> HttpResponse:
    try:
        report = importer.preview(upload, request.user)
    except Refused as refused:
        remedies = _remedies(importer, upload, refused.remedies)
        if not remedies:
            _discard(request, importer, upload.token)
        return _refused(request, importer, upload.name, refused, remedies=remedies)
    # The confirm route takes the token where the preview page does (see `import_paths`).
    in_route = {"token": upload.token} if importer.urls.preview else {}
    context = _context(
        importer,
        step=_("Preview"),
        name=upload.name,
        report=report,
        summary=importer.summary(report, done=False),
        done=False,
        choice_form=importer.choice_form(report, upload),
        choices=upload.choices,
        confirm=ConfirmForm(initial={"upload": upload.token}),
        action=reverse(importer.urls.confirm, kwargs=in_route),
    )
    return render(request, "lib/imports/preview.html", context)


def _remedies(importer: Importer, upload: Upload, remedies: list[Remedy]) -> list[tuple[str, str]]:
    """(label, address) of each remedy: the preview again, with its choices."""
    if not importer.urls.preview:
        return []
    preview = reverse(importer.urls.preview, kwargs={"token": upload.token})
    return [(remedy.label, f"{preview}?{urlencode(remedy.choices)}") for remedy in remedies]


def _refused(
    request: HttpRequest,
    importer: Importer,
    name: str,
    refused: Refused,
    *,
    remedies: Sequence[tuple[str, str]] = (),
):
    context = _context(
        importer,
        step=_("Preview"),
        name=name,
        problems=refused.problems,
        remedies=remedies,
        confirm=None,
    )
    return render(request, "lib/imports/preview.html", context, status=422)


def _result(request: HttpRequest, importer: Importer, name: str, report: Any) -> HttpResponse:
    again = importer.may_use(request.user)
    context = _context(
        importer,
        step=_("Imported") if again else "",
        name=name,
        report=report,
        summary=importer.summary(report, done=True),
        done=True,
        may_import_again=again,
    )
    return render(request, "lib/imports/result.html", context)


def _allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and allowed by the importer; to anyone else the page does not exist."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, importer: Importer, **kwargs) -> HttpResponse:
        if not importer.may_use(request.user):
            raise Http404(_("There is no such page."))
        return view(request, importer, **kwargs)

    return wrapped


@takes_uploads
@_allowed
@require_http_methods(["GET", "POST"])
def upload_page(request: HttpRequest, importer: Importer) -> HttpResponse:
    """Choose the file: it is kept, then previewed."""
    posted = request.method == "POST"
    form = importer.upload_form(request.POST, request.FILES) if posted else importer.upload_form()
    if posted and form.is_valid():
        upload = _keep(request, importer, form)
        if importer.urls.preview:
            return redirect(importer.urls.preview, token=upload.token)
        return _preview(request, importer, upload)
    context = _context(importer, form=form, intro=importer.introduce(request.user))
    return render(request, "lib/imports/upload.html", context, status=422 if form.errors else 200)


@_allowed
@require_safe
def preview_page(request: HttpRequest, importer: Importer, token: str) -> HttpResponse:
    """What importing the kept file would do (a dry run), with the buttons to import or cancel."""
    return _preview(request, importer, _kept(request, importer, token, request.GET))


@_allowed
@require_POST
def confirm_page(request: HttpRequest, importer: Importer, token: str = "") -> HttpResponse:
    """Import the kept file (its token in the address or the form), or cancel it."""
    form = ConfirmForm(request.POST)
    posted = form.cleaned_data["upload"] if form.is_valid() else ""
    if not (token or posted) or (token and posted and token != posted):
        raise Http404(_("There is no such upload."))
    upload = _kept(request, importer, token or posted, request.POST)
    if "cancel" in request.POST:
        _discard(request, importer, upload.token)
        messages.info(request, _("The import was cancelled; nothing was written."))
        return redirect(importer.urls.upload)
    try:
        report = importer.confirm(upload, request.user)
    except Refused as refused:
        return _refused(request, importer, upload.name, refused)
    finally:
        _discard(request, importer, upload.token)
    if not importer.urls.result:
        return _result(request, importer, upload.name, report)
    results = list(_entries(request, importer, "results").items())[1 - KEPT_RESULTS :]
    _set_entries(
        request,
        importer,
        "results",
        {**dict(results), upload.token: {"name": upload.name, "report": report}},
    )
    return redirect(importer.urls.result, token=upload.token)


@login_required
@require_safe
def result_page(request: HttpRequest, importer: Importer, token: str) -> HttpResponse:
    """What an import did, for the session that ran it, even once it may no longer import (a
    site admin whose roster created the district)."""
    result = _entries(request, importer, "results").get(token)
    if result is None:
        raise Http404(_("No such import."))
    return _result(request, importer, result["name"], result["report"])


def import_paths(
    importer: Importer,
    *,
    upload: str,
    confirm: str,
    preview: str | None = None,
    result: str | None = None,
) -> list[URLPattern]:
    """The URL patterns of `importer`'s pages, at these routes, named as its `urls` say. The
    preview, confirm and result routes of an importer with a preview page take the <token>."""
    routes = {"upload": upload, "confirm": confirm, "preview": preview, "result": result}
    views = {
        "upload": upload_page,
        "confirm": confirm_page,
        "preview": preview_page,
        "result": result_page,
    }
    patterns = []
    for step, route in routes.items():
        name = getattr(importer.urls, step)
        if (route is None) != (name is None):
            raise ValueError(f"{importer.key}: the {step} page needs both a route and a name.")
        if route is not None:
            patterns.append(
                path(route, views[step], {"importer": importer}, name=name.rpartition(":")[2])
            )
    return patterns
