"""Learner records (ADR 0043): a student's transcript as a 1EdTech Comprehensive Learner Record
2.0 (`ClrCredential`), each stage they mastered in it an Open Badges 3.0 achievement credential
aligned to its competency's CASE identifier, signed as VC-JWT (a compact JWS, EdDSA) with the
site's Ed25519 issuer key, and checked again here.

The record is built from the latest transcript issued to the student when there is one (what
the school stands behind, the same snapshot its code verifies), else from the transcript as it
stands today. The district is the issuer; its profile and the key are published at addresses
under the site (`settings.SITE_URL`), which the JWS header's `kid` names.

The links a student makes to share the record, and their revocation, are here too.
"""

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from uuid import NAMESPACE_URL, uuid4, uuid5

import jwt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proficio.audit import api as audit
from proficio.frameworks.api import competency_case_identifiers, district_stages
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.signing_keys import issuer_key, public_jwk
from proficio.people.api import District, Person, identity_erased, is_self
from proficio.reports.models import IssuedTranscript, RecordLink
from proficio.reports.transcripts import transcript_of

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"
ALGORITHM = "EdDSA"
JWKS_PATH = "/.well-known/jwks.json"
LINK_DAYS = (7, 30, 90, 365)
LINK_DAYS_DEFAULT = 30


def site() -> str:
    return settings.SITE_URL.rstrip("/")


def key_id() -> str:
    """The `kid` of the JWS header: the published JWKS, the key's thumbprint as fragment."""
    return f"{site()}{JWKS_PATH}#{public_jwk()['kid']}"


def jwks() -> dict:
    """The issuer's public keys as a JWK Set: what anyone verifies a record with."""
    return {"keys": [public_jwk()]}


def issuer_id(district: District) -> str:
    return f"{site()}/records/issuers/{district.uuid}"


def issuer_profile(district: District) -> dict:
    """The issuer of a district's records, as OB 3.0's Profile."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id(district),
        "type": ["Profile"],
        "name": district.name,
        "url": site(),
    }


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _subject_id(student: Person) -> str:
    return f"urn:uuid:{student.uuid}"


# ---- building ------------------------------------------------------------------------------


def record_source(*, user: Person, student: Person) -> tuple[dict, IssuedTranscript | None]:
    """What a student's record is built from, for a `user` who may see the student: the latest
    transcript issued to them, else the transcript as it stands today."""
    issued = IssuedTranscript.objects.filter(student=student).order_by("-issued_at", "-pk").first()
    if issued is not None:
        return issued.content, issued
    return transcript_of(user=user, student=student), None


def _mastered(item: dict) -> list[dict]:
    """Every stage of a competency mastered in a snapshot, with the day when it tells it: a
    snapshot issued before it kept each stage has the highest stage reached and its day, and
    the stages below it, undated."""
    if "mastered" in item:
        return item["mastered"]
    top = item["reached"] or 0
    return [{"stage": n, "on": item["reached_on"] if n == top else None} for n in range(1, top + 1)]


def _achievement(stage, issuer: dict, case_identifier: str) -> dict:
    competency = stage.competency
    statements = [s.text for s in stage.evidence_statements.all()]
    narrative = (
        "\n".join(f"- {text}" for text in statements)
        if statements
        else stage.descriptor or stage.label
    )
    return {
        "id": f"urn:uuid:{stage.uuid}",
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": f"{competency.title}: stage {stage.ordinal} · {stage.label}",
        "description": stage.descriptor
        or f"Stage {stage.ordinal} of {competency.title}: {stage.label}.",
        "criteria": {"narrative": narrative},
        "humanCode": f"{competency.code}.{stage.ordinal}",
        "creator": {"id": issuer["id"], "type": ["Profile"], "name": issuer["name"]},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": competency.title,
                "targetDescription": competency.statement or competency.title,
                "targetCode": case_identifier,
                "targetFramework": competency.framework.title,
                "targetType": "CFItem",
                "targetUrl": f"{site()}/ims/case/v1p1/CFItems/{case_identifier}",
            }
        ],
    }


def clr_of(*, user: Person, student: Person, at: datetime | None = None) -> tuple[dict, list[dict]]:
    """The learner record of a student `user` may see (the caller checked): the CLR
    credential, and the achievement credentials in it (each also signed on its own)."""
    now = at or timezone.now()
    content, issued = record_source(user=user, student=student)
    district = student.district
    issuer = issuer_profile(district)
    issuer.pop("@context")
    wanted = {
        (item["competency"], m["stage"]): m["on"]
        for area in content["areas"]
        for item in area["competencies"]
        for m in _mastered(item)
    }
    stages = list(
        district_stages(district.pk)
        .filter(competency__uuid__in={competency for competency, _stage in wanted})
        .select_related("competency__framework")
        .prefetch_related("evidence_statements")
        .order_by("competency__code", "ordinal")
    )
    identifiers = competency_case_identifiers({stage.competency_id for stage in stages})
    subject_id = _subject_id(student)
    name = {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": student.display_name,
    }
    valid_from = _stamp(now)
    achievements, badges, kept = [], [], []
    for stage in stages:
        key = (str(stage.competency.uuid), stage.ordinal)
        if key not in wanted:
            continue
        achievement = _achievement(
            stage,
            issuer,
            identifiers.get(stage.competency_id, str(stage.competency.uuid)),
        )
        achievements.append(achievement)
        kept.append((stage, achievement["id"]))
        badge = {
            "@context": [VC_CONTEXT, OB_CONTEXT],
            "id": f"urn:uuid:{uuid5(NAMESPACE_URL, f'{subject_id}/{stage.uuid}/{valid_from}')}",
            "type": ["VerifiableCredential", "AchievementCredential"],
            "issuer": issuer,
            "validFrom": valid_from,
            "name": achievement["name"],
            "credentialSubject": {
                "id": subject_id,
                "type": ["AchievementSubject"],
                "identifier": [name],
                "achievement": achievement,
            },
            "credentialSchema": [{"id": OB_SCHEMA, "type": SCHEMA_TYPE}],
        }
        if wanted[key]:
            badge["awardedDate"] = f"{wanted[key]}T00:00:00Z"
        badges.append(badge)
    associations = [
        {
            "type": "Association",
            "associationType": "precedes",
            "sourceId": earlier_id,
            "targetId": later_id,
        }
        for (earlier, earlier_id), (later, later_id) in pairwise(kept)
        if earlier.competency_id == later.competency_id and later.ordinal == earlier.ordinal + 1
    ]
    if issued is not None:
        description = (
            f"The competency transcript issued on {timezone.localdate(issued.issued_at)} "
            f"(code {issued.code}, verifiable at {site()}/reports/verify/), as of {issued.as_of}."
        )
    else:
        description = f"The competency transcript as it stood on {content['as_of']}."
    clr = {
        "@context": [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "name": f"Learner record of {student.display_name}",
        "description": description,
        "credentialSubject": {
            "id": subject_id,
            "type": ["ClrSubject"],
            "identifier": [name],
            "verifiableCredential": badges,
            "achievement": achievements,
            **({"association": associations} if associations else {}),
        },
        "credentialSchema": [{"id": CLR_SCHEMA, "type": SCHEMA_TYPE}],
    }
    return clr, badges


# ---- signing and verifying ------------------------------------------------------------------


def sign(credential: dict) -> str:
    """The credential as a VC-JWT (OB 3.0 §8.2): the credential is the JWT payload, with the
    registered claims iss, jti, nbf and sub drawn from it; the header names the key."""
    valid_from = datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00"))
    payload = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(valid_from.timestamp()),
        "sub": credential["credentialSubject"]["id"],
    }
    return jwt.encode(
        payload,
        issuer_key(),
        algorithm=ALGORITHM,
        headers={"kid": key_id(), "typ": "JWT"},
    )


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str
    credential: dict | None = None


def verify_jwt(token: str) -> Verdict:
    """Whether a VC-JWT was signed by this site's issuer key and says what it signed; the
    reason in a few words, nothing else."""
    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        return Verdict(False, "not a signed credential")
    if header.get("alg") != ALGORITHM:
        return Verdict(False, "unknown algorithm")
    # The key by its thumbprint: the site's address before the "#" may have changed since.
    if str(header.get("kid", "")).rpartition("#")[2] != public_jwk()["kid"]:
        return Verdict(False, "unknown key")
    try:
        payload = jwt.decode(
            token,
            issuer_key().public_key(),
            algorithms=[ALGORITHM],
            options={"require": ["iss", "jti", "nbf", "sub"], "verify_aud": False},
            leeway=60,
        )
    except jwt.InvalidSignatureError:
        return Verdict(False, "bad signature")
    except jwt.ImmatureSignatureError:
        return Verdict(False, "not valid yet")
    except jwt.ExpiredSignatureError:
        return Verdict(False, "expired")
    except jwt.InvalidTokenError:
        return Verdict(False, "not a signed credential")
    credential = {k: v for k, v in payload.items() if k not in {"iss", "jti", "nbf", "sub"}}
    try:
        consistent = (
            payload["iss"] == credential["issuer"]["id"]
            and payload["jti"] == credential["id"]
            and payload["sub"] == credential["credentialSubject"]["id"]
            and payload["nbf"]
            == int(
                datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp()
            )
        )
    except (KeyError, TypeError, ValueError):
        consistent = False
    if not consistent:
        return Verdict(False, "claims disagree with the credential")
    return Verdict(True, "signature verified", credential)


def signed_record(*, user: Person, student: Person) -> dict:
    """The record as downloaded or shared: the signed CLR, the credential it signs, and each
    achievement credential signed on its own."""
    clr, badges = clr_of(user=user, student=student)
    return {
        "jwt": sign(clr),
        "credential": clr,
        "achievement_credentials": [sign(badge) for badge in badges],
        "jwks": f"{site()}{JWKS_PATH}",
        "verify": f"{site()}/records/verify",
    }


def record_json(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")


# ---- links ----------------------------------------------------------------------------------


def record_links_visible_to(user: Person):
    """The links to learner records `user` made: a student's own, no one else's."""
    return RecordLink.objects.filter(student_id=user.pk)


def may_share(user: Person, student: Person) -> bool:
    """A student shares their own record; no one does it for them."""
    return is_self(user, student)


@transaction.atomic
def record_link_create(
    *, actor: Person, student: Person, days: int = LINK_DAYS_DEFAULT, at: datetime | None = None
) -> RecordLink:
    """A student makes a link anyone may open to fetch their signed record, for some days."""
    if not may_share(actor, student):
        raise NotVisible(f"No learner record {student.uuid} you share.")
    if days not in LINK_DAYS:
        raise InvalidInput({"days": _("Choose how long the link works.")})
    now = at or timezone.now()
    link = RecordLink.objects.create(
        code=secrets.token_urlsafe(24),
        student=student,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    audit.record(
        actor=actor,
        action=audit.RECORD_LINK_CREATED,
        student=student,
        target=link,
        data={"link": str(link.uuid), "days": days},
    )
    return link


@transaction.atomic
def record_link_revoke(*, actor: Person, link: RecordLink, at: datetime | None = None) -> None:
    """The student ends a link: it opens nothing from now on."""
    link = RecordLink.objects.select_for_update().select_related("student").get(pk=link.pk)
    if not may_share(actor, link.student):
        raise NotVisible(f"No link {link.uuid}.")
    if link.revoked_at is not None:
        return
    link.revoked_at = at or timezone.now()
    link.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=audit.RECORD_LINK_REVOKED,
        student=link.student,
        target=link,
        data={"link": str(link.uuid)},
    )


def link_state(code: str) -> tuple[RecordLink | None, str]:
    """The link with this code and what it opens to (`state_of`), or (None, "unknown") when
    there is none."""
    link = (
        RecordLink.objects.select_related("student__district").filter(code=code.strip()).first()
        if code
        else None
    )
    if link is None:
        return None, "unknown"
    state = state_of(link)
    return (None, state) if state == "unknown" else (link, state)


def state_of(link: RecordLink) -> str:
    """ "open", "revoked", "expired"; "unknown" once its student is erased (as if it never
    was)."""
    if identity_erased(link.student):
        return "unknown"
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= timezone.now():
        return "expired"
    return "open"
