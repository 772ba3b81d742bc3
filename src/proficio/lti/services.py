"""Writes of the LTI tool: a district admin registers an LMS (by hand, or by the LMS through
a one-time dynamic registration address) or switches one off; a teacher ties an LMS course to
a section. Each change is audited."""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lti_tool.models import Key, LtiContext, LtiRegistration

from proficio.audit import api as audit
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.outbound import address_problem
from proficio.lti.models import Platform, RegistrationInvite, SectionLink
from proficio.people.api import District, Person, Section, sections_taught_by

INVITE_LIFETIME = timedelta(days=7)


# django-lti keeps these addresses in fields of this length.
URL_MAX = 200


def origin_of(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _web_address(url: str, field: str, errors: dict[str, str]) -> str:
    """An address Proficio sends to or sends browsers to: a public https:// one."""
    url = url.strip()
    if not origin_of(url):
        errors[field] = _("Give the full address, e.g. https://lms.example.org/…")
    elif len(url) > URL_MAX:
        errors[field] = _("Proficio keeps addresses of up to 200 characters.")
    elif problem := address_problem(url):
        errors[field] = problem
    return url


def tool_key_ensure() -> None:
    """The tool's RSA key (published at /lti/jwks.json) exists: made with the first
    registration, kept by django-lti's Key table."""
    if not Key.objects.active().exists():
        Key.objects.generate()


@transaction.atomic
def platform_register(
    *,
    actor: Person | None,
    district: District,
    name: str,
    issuer: str,
    client_id: str,
    auth_url: str,
    token_url: str,
    keyset_url: str,
    frame_origins: str = "",
) -> Platform:
    """Register an LMS: its launches will sign in `district`'s people."""
    errors: dict[str, str] = {}
    name, client_id = name.strip(), client_id.strip()
    if not name:
        errors["name"] = _("Name the LMS, as teachers know it.")
    if not client_id:
        errors["client_id"] = _("Give the client ID the LMS gave Proficio.")
    issuer = issuer.strip()
    if not origin_of(issuer) or len(issuer) > 255:
        errors["issuer"] = _(
            "Give the issuer as the LMS gives it, e.g. https://canvas.instructure.com"
        )
    auth_url = _web_address(auth_url, "auth_url", errors)
    token_url = _web_address(token_url, "token_url", errors)
    keyset_url = _web_address(keyset_url, "keyset_url", errors)
    origins = []
    for given in frame_origins.split():
        origin = origin_of(given)
        if not origin:
            errors["frame_origins"] = _("Give each address in full, e.g. https://school.lms.org")
        origins.append(origin)
    if errors:
        raise InvalidInput(errors)
    tool_key_ensure()
    fields = {
        "name": name[:255],
        "auth_url": auth_url,
        "token_url": token_url,
        "keyset_url": keyset_url,
        "is_active": True,
    }
    switched_off = Platform.objects.filter(
        district=district,
        registration__issuer=issuer,
        registration__client_id=client_id,
        registration__is_active=False,
    ).first()
    if switched_off is not None:  # registered again: the same registration, live again
        LtiRegistration.objects.filter(pk=switched_off.registration_id).update(**fields)
        switched_off.frame_origins = " ".join(dict.fromkeys(origins))
        switched_off.save(update_fields=["frame_origins"])
        platform = switched_off
    else:
        try:
            with transaction.atomic():
                registration = LtiRegistration.objects.create(
                    issuer=issuer, client_id=client_id, **fields
                )
        except IntegrityError as taken:
            raise InvalidInput(
                {"client_id": _("This client ID cannot be registered: ask the LMS for another.")}
            ) from taken
        platform = Platform.objects.create(
            registration=registration,
            district=district,
            frame_origins=" ".join(dict.fromkeys(origins)),
            created_by=actor,
        )
    audit.record(
        actor=actor,
        action=audit.LTI_PLATFORM_CHANGED,
        district_id=district.pk,
        target=platform,
        data={"lms": name, "issuer": issuer, "client_id": client_id, "change": "registered"},
    )
    return platform


@transaction.atomic
def platform_deactivate(*, actor: Person | None, district: District, platform_id: int) -> None:
    """Launches from this LMS stop; what it placed and the scores sent stay on record."""
    platform = (
        Platform.objects.select_related("registration")
        .filter(district=district, pk=platform_id, registration__is_active=True)
        .first()
    )
    if platform is None:
        raise NotVisible(_("There is no such LMS."))
    platform.registration.is_active = False
    platform.registration.save(update_fields=["is_active", "datetime_modified"])
    audit.record(
        actor=actor,
        action=audit.LTI_PLATFORM_CHANGED,
        district_id=district.pk,
        target=platform,
        data={"lms": platform.registration.name, "change": "switched off"},
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite_create(*, actor: Person | None, district: District) -> str:
    """A one-time address for an LMS admin's dynamic registration: the token, never kept."""
    token = secrets.token_urlsafe(32)
    invite = RegistrationInvite.objects.create(
        district=district,
        token_digest=_digest(token),
        created_by=actor,
        expires_at=timezone.now() + INVITE_LIFETIME,
    )
    audit.record(
        actor=actor,
        action=audit.LTI_PLATFORM_CHANGED,
        district_id=district.pk,
        target=invite,
        data={"change": "registration address made", "until": f"{invite.expires_at:%Y-%m-%d}"},
    )
    return token


def invite_live(token: str) -> RegistrationInvite | None:
    """The unused, unexpired invitation this token opens, else None."""
    return RegistrationInvite.objects.filter(
        token_digest=_digest(token), used_by=None, expires_at__gt=timezone.now()
    ).first()


@transaction.atomic
def invite_use(*, token: str, platform_fields: dict[str, str]) -> Platform:
    """An LMS registered itself through an invitation: the platform, in the inviting
    admin's name; the invitation cannot be used again."""
    invite = (
        RegistrationInvite.objects.select_for_update(of=("self",))
        .filter(token_digest=_digest(token), used_by=None, expires_at__gt=timezone.now())
        .select_related("district", "created_by")
        .first()
    )
    if invite is None:
        raise NotVisible(_("This registration address is used or has expired."))
    platform = platform_register(
        actor=invite.created_by, district=invite.district, **platform_fields
    )
    invite.used_by = platform
    invite.save(update_fields=["used_by"])
    return platform


@transaction.atomic
def section_link(
    *,
    actor: Person | None,
    context: LtiContext,
    section: Section,
    how: str,
) -> SectionLink:
    """The LMS course `context` is `section` from now on. A teacher may tie it only to a
    section they teach; a roster match is the system's (`actor` the launching teacher)."""
    chosen = actor is not None and how == SectionLink.How.TEACHER
    if chosen and not sections_taught_by(actor).filter(pk=section.pk).exists():
        raise NotVisible(_("There is no such section."))
    link, _created = SectionLink.objects.update_or_create(
        context=context, defaults={"section": section, "how": how, "linked_by": actor}
    )
    audit.record(
        actor=actor,
        action=audit.LTI_SECTION_LINKED,
        target=section,
        data={"course": context.title or context.id_on_platform, "how": how},
    )
    return link
