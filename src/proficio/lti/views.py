"""The LTI endpoints an LMS calls: the tool's public keys, the OIDC login that starts a
launch, the launch itself, and dynamic registration; and the two pages a launch may need,
where a teacher picks what to place (deep linking) or which section the course is.

The login and the launch come from another site inside the LMS's frame: they carry no CSRF
token (the launch is a JWT the platform signed, tied to the login's state and nonce)."""

from urllib.parse import urlencode

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from lti_tool.models import Key, LtiContext, LtiLaunch
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.outbound import OutboundSession
from proficio.lti import deep_links, dynamic
from proficio.lti.config import ToolConfig
from proficio.lti.framing import frame_for, frameable_anywhere
from proficio.lti.launches import Launched, LaunchRefused, launch_accept
from proficio.lti.models import SectionLink
from proficio.lti.services import origin_of, section_link
from proficio.lti.storage import DatabaseLaunchDataStorage
from proficio.people.api import sections_taught_by

SESSION_LAUNCH = "lti_launch_id"
SESSION_CONTEXT = "lti_context_id"
SESSION_NEXT = "lti_next"
NEW_WINDOW = "lti1p3_new_window"


def _refused(request: HttpRequest, reason: str, status: int = 400) -> HttpResponse:
    return frameable_anywhere(
        render(request, "lti/refused.html", {"reason": reason}, status=status)
    )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public keys, with which platforms check what it signs."""
    response = JsonResponse(Key.objects.as_jwks())
    response["Cache-Control"] = "public, max-age=3600"
    return response


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def login_init(request: HttpRequest) -> HttpResponse:
    """Third-party initiated login: first a page that checks the browser lets the frame keep
    cookies (else it offers a new window), then the redirect to the platform's sign-in."""
    params = request.POST if request.method == "POST" else request.GET
    if not params.get(NEW_WINDOW):
        onward = {key: params[key] for key in params} | {NEW_WINDOW: "1"}
        return frameable_anywhere(
            render(
                request,
                "lti/cookie_check.html",
                {"onward": reverse("lti:login") + "?" + urlencode(onward)},
            )
        )
    oidc = DjangoOIDCLogin(request, ToolConfig(), launch_data_storage=DatabaseLaunchDataStorage())
    try:
        return oidc.redirect(request.build_absolute_uri(reverse("lti:launch")))
    except (LtiException, OIDCException) as refused:
        return _refused(
            request, _("The LMS's sign-in request is not one Proficio accepts: %s") % refused
        )


def _message_launch(request: HttpRequest) -> DjangoMessageLaunch:
    return DjangoMessageLaunch(
        request,
        ToolConfig(),
        launch_data_storage=DatabaseLaunchDataStorage(),
        requests_session=OutboundSession(),
    )


def _next_url(launched: Launched, launch: LtiLaunch) -> str:
    """Where the launch goes; for a teacher whose course has no section yet, where it goes
    once they have said which (empty: that section's gradebook)."""
    if launch.is_deep_link_launch:
        return reverse("lti:deep_link")
    placement = launched.placement
    if launched.is_teacher:
        if placement is not None and placement.task is not None:
            return reverse("work:task", args=[placement.task.uuid])
        if launched.section is None:
            return ""
        return reverse("mastery:gradebook", args=[launched.section.uuid])
    if placement is not None and placement.task is not None:
        return reverse("work:my_work", args=[placement.task.uuid])
    if placement is not None and placement.competency is not None:
        return reverse(
            "mastery:student_competency",
            args=[launched.person.uuid, placement.competency.uuid],
        )
    return reverse("home")


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["POST"])
def launch(request: HttpRequest) -> HttpResponse:
    """The platform posts the signed launch here: the person signs in and goes where the link
    points. Proficio's own roles decide what they may do, whatever the LMS calls them."""
    try:
        message_launch = _message_launch(request)
        message_launch.validate()
        lti_launch = LtiLaunch(message_launch)
        if not (lti_launch.is_resource_launch or lti_launch.is_deep_link_launch):
            return _refused(request, _("Proficio opens links and places content; nothing else."))
        launched = launch_accept(launch=lti_launch)
    except LtiException as refused:
        return _refused(request, _("The launch could not be checked: %s") % refused, status=403)
    except LaunchRefused as refused:
        return _refused(request, str(refused), status=403)
    login(request, launched.person, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_LAUNCH] = lti_launch.get_launch_id()
    if lti_launch.context_claim:
        request.session[SESSION_CONTEXT] = lti_launch.context.pk
    frame_for(request, launched.platform, lti_launch)
    next_url = _next_url(launched, lti_launch)
    section_unknown = launched.is_teacher and launched.section is None
    if section_unknown and lti_launch.context_claim and not lti_launch.is_deep_link_launch:
        request.session[SESSION_NEXT] = next_url
        return redirect("lti:section")
    return redirect(next_url)


def _session_launch(request: HttpRequest) -> DjangoMessageLaunch:
    launch_id = request.session.get(SESSION_LAUNCH)
    if not launch_id:
        raise Http404(_("Open this page from your LMS."))
    try:
        return DjangoMessageLaunch.from_cache(
            launch_id,
            request,
            ToolConfig(),
            launch_data_storage=DatabaseLaunchDataStorage(),
            requests_session=OutboundSession(),
        )
    except LtiException as expired:
        raise Http404(_("This launch has expired: open the link from your LMS again.")) from expired


@login_required
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest) -> HttpResponse:
    """A teacher picks a task or a competency view to place in their LMS course; the answer
    is a form that carries the signed choice back to the LMS."""
    message_launch = _session_launch(request)
    if not message_launch.is_deep_link_launch():
        raise Http404(_("Open this page from your LMS."))
    choices = deep_links.choices_for(request.user)
    if request.method == "POST":
        try:
            signed, return_url = deep_links.respond(
                message_launch,
                teacher=request.user,
                choices=choices,
                chosen=request.POST.getlist("item"),
                launch_url=request.build_absolute_uri(reverse("lti:launch")),
            )
        except InvalidInput as invalid:
            return render(
                request,
                "lti/deep_link.html",
                {"choices": choices, "errors": invalid.errors},
                status=422,
            )
        response = render(
            request, "lti/deep_link_return.html", {"jwt": signed, "return_url": return_url}
        )
        # The form posts to the LMS: the one place a Proficio form may go elsewhere.
        response._csp_update = {"form-action": [origin_of(return_url)]}
        return response
    return render(request, "lti/deep_link.html", {"choices": choices, "errors": {}})


@login_required
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def section_choose(request: HttpRequest) -> HttpResponse:
    """A teacher whose LMS course matched no section by its roster says which it is."""
    context = LtiContext.objects.filter(pk=request.session.get(SESSION_CONTEXT)).first()
    if context is None:
        raise Http404(_("Open this page from your LMS."))
    sections = list(sections_taught_by(request.user).select_related("school"))
    if request.method == "POST":
        chosen = next((s for s in sections if str(s.uuid) == request.POST.get("section")), None)
        if chosen is not None:
            try:
                section_link(
                    actor=request.user,
                    context=context,
                    section=chosen,
                    how=SectionLink.How.TEACHER,
                )
            except NotVisible as missing:
                raise Http404(str(missing)) from missing
            return redirect(
                request.session.pop(SESSION_NEXT, None)
                or reverse("mastery:gradebook", args=[chosen.uuid])
            )
    return render(
        request,
        "lti/section.html",
        {"course": context.title or context.label, "sections": sections},
        status=422 if request.method == "POST" else 200,
    )


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET"])
def register(request: HttpRequest, token: str) -> HttpResponse:
    """LTI Dynamic Registration, opened by an LMS admin with the address a district admin
    gave them: Proficio reads the platform's configuration, registers itself there and
    records the platform for the district."""
    try:
        platform = dynamic.register(
            token=token,
            openid_configuration=request.GET.get("openid_configuration", ""),
            registration_token=request.GET.get("registration_token", ""),
            tool_urls=dynamic.tool_urls(request),
        )
    except NotVisible as missing:
        return _refused(request, str(missing), status=404)
    except InvalidInput as invalid:
        return _refused(request, " ".join(invalid.errors.values()))
    return frameable_anywhere(render(request, "lti/registered.html", {"platform": platform}))
