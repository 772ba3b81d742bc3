"""Learner records (issue 17, item 5; ADR 0043): a student's transcript as a CLR 2.0 credential
holding an Open Badges 3.0 achievement credential per stage mastered, each aligned to its
competency's CASE identifier as the CASE export writes it; signed as VC-JWT with the issuer key
kept in the home and verified here by other implementations than the one that signs (joserfc,
and the bare Ed25519 signature with cryptography); a changed character fails. The key set and
the issuer's profile are published; who may download the record; the links a student shares
it by, revoked and expired; the audit trail; the public endpoints tell nothing without a code.

The official JSON schemas of OB 3.0 and CLR 2.0 are published only at their purl addresses,
which this workplace cannot reach, so the fields they require are checked by hand below."""

import base64
import json
import stat
import warnings
from datetime import timedelta
from decimal import Decimal

import jwt as pyjwt
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import OKPKey

from proficio.audit.models import AuditEntry
from proficio.home import home_dir
from proficio.interop.case.export import case_package
from proficio.lib.errors import NotVisible
from proficio.lib.signing_keys import ISSUER_KEY_FILE, issuer_key
from proficio.mastery.services import evidence_record
from proficio.people.api import guardian_link
from proficio.people.models import Role
from proficio.reports.credentials import (
    CLR_CONTEXT,
    OB_CONTEXT,
    VC_CONTEXT,
    clr_of,
    record_link_create,
    record_link_revoke,
    sign,
    signed_record,
    verify_jwt,
)
from proficio.reports.models import RecordLink
from proficio.reports.transcripts import transcript_issue
from tests.factories import make_person, standard_as_competency
from tests.mastery.varied import policy

pytestmark = pytest.mark.django_db


def rate(world, student, competency, stage, level=4, days=5):
    evidence_record(
        assessor=world.teacher,
        student=student,
        competency=competency,
        stage=stage,
        level=Decimal(level),
        observed_at=timezone.now() - timedelta(days=days),
        source="observation",
    )


@pytest.fixture
def mastered(world):
    """The student masters stages 1 and 2 of W1 (one rating of 3 or more masters a stage)."""
    policy(world, "latest", minimum_evidence=1, threshold=Decimal(3))
    rate(world, world.student, world.competency, 1, days=20)
    rate(world, world.student, world.competency, 2, days=10)
    stage = world.competency.stages.get(ordinal=1)
    stage.evidence_statements.create(text="Names a claim.", position=1)
    stage.evidence_statements.create(text="Gives a reason for it.", position=2)
    return world


def b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def published_key(client: Client) -> dict:
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    (key,) = keys
    return key


def verified_by_joserfc(token: str, jwk: dict) -> dict:
    """Another JWS implementation than the one that signs: joserfc, with the published JWK."""
    key = OKPKey.import_key(jwk)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc prefers RFC 9864's "Ed25519" to "EdDSA"
        return json.loads(jws.deserialize_compact(token, key, algorithms=["EdDSA"]).payload)


def verified_by_cryptography(token: str, jwk: dict) -> dict:
    """The bare Ed25519 signature over the JWS signing input, as RFC 7515 defines it."""
    header, payload, signature = token.split(".")
    public = Ed25519PublicKey.from_public_bytes(b64decode(jwk["x"]))
    public.verify(b64decode(signature), f"{header}.{payload}".encode("ascii"))
    return json.loads(b64decode(payload))


def tampered(token: str) -> str:
    """One character of the payload changed: a claim's letter, the JSON still sound."""
    header, payload, signature = token.split(".")
    data = b64decode(payload).decode("utf-8")
    at = data.index('"name":"') + len('"name":"')
    changed = data[:at] + ("X" if data[at] != "X" else "Y") + data[at + 1 :]
    assert len(changed) == len(data) and changed != data
    encoded = base64.urlsafe_b64encode(changed.encode("utf-8")).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


# ---- building ------------------------------------------------------------------------------


def test_every_mastered_stage_is_an_achievement_credential_aligned_to_its_case_item(mastered):
    world = mastered
    clr, badges = clr_of(user=world.student, student=world.student)
    assert clr["@context"] == [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["verifiableCredential"] == badges
    assert [b["credentialSubject"]["achievement"]["humanCode"] for b in badges] == [
        "W1.1",
        "W1.2",
    ]
    exported = {
        i["humanCodingScheme"]: i["identifier"]
        for i in case_package(world.framework)["CFItems"]
        if i["CFItemType"] == "Competency"
    }
    for badge in badges:
        assert badge["@context"] == [VC_CONTEXT, OB_CONTEXT]
        assert badge["type"] == ["VerifiableCredential", "AchievementCredential"]
        (alignment,) = badge["credentialSubject"]["achievement"]["alignment"]
        assert alignment["targetCode"] == exported["W1"]
        assert alignment["targetUrl"].endswith(f"/ims/case/v1p1/CFItems/{exported['W1']}")
    first = badges[0]["credentialSubject"]["achievement"]
    assert first["criteria"]["narrative"] == (
        "- The student can do 1.\n- Names a claim.\n- Gives a reason for it."
    )
    assert subject["achievement"] == [b["credentialSubject"]["achievement"] for b in badges]
    (association,) = subject["association"]
    assert association["associationType"] == "precedes"
    assert (association["sourceId"], association["targetId"]) == tuple(
        a["id"] for a in subject["achievement"]
    )
    assert badges[1]["awardedDate"] == f"{(timezone.localdate() - timedelta(days=10))}T00:00:00Z"


def test_required_fields_of_the_ob3_and_clr_schemas(mastered):
    """By hand, the `required` lists of ob_v3p0_achievementcredential_schema.json and
    clr_v2p0_clrcredential_schema.json (and of the objects they hold)."""
    clr, badges = clr_of(user=mastered.student, student=mastered.student)
    for credential in (clr, *badges):
        for field in ("@context", "id", "type", "issuer", "validFrom", "credentialSubject"):
            assert credential[field], field
        assert credential["issuer"]["type"] == ["Profile"] and credential["issuer"]["name"]
        assert credential["issuer"]["id"].startswith("http")
        assert credential["validFrom"].endswith("Z")
    for badge in badges:
        achievement = badge["credentialSubject"]["achievement"]
        for field in ("id", "type", "name", "description", "criteria"):
            assert achievement[field], field
        for alignment in achievement["alignment"]:
            for field in ("type", "targetName", "targetUrl"):
                assert alignment[field], field
    assert clr["credentialSubject"]["verifiableCredential"]
    identity = clr["credentialSubject"]["identifier"][0]
    assert {"type", "identityHash", "identityType", "hashed"} <= set(identity)


def test_a_competency_from_a_case_item_is_aligned_to_that_item(world, testdata):
    standard = standard_as_competency(world.district, testdata)
    competency = standard.competency
    policy(world, "latest", minimum_evidence=1, threshold=Decimal(3))
    rate(world, world.student, competency, 1)
    _clr, badges = clr_of(user=world.student, student=world.student)
    (badge,) = [
        b
        for b in badges
        if b["credentialSubject"]["achievement"]["humanCode"].startswith(competency.code)
    ]
    (alignment,) = badge["credentialSubject"]["achievement"]["alignment"]
    exported = {i["identifier"] for i in case_package(competency.framework)["CFItems"]}
    assert alignment["targetCode"] == str(standard.identifier)
    assert alignment["targetCode"] in exported


def test_the_record_is_built_from_the_latest_transcript_issued(mastered):
    world = mastered
    issued = transcript_issue(actor=world.school_admin, student=world.student)
    rate(world, world.student, world.competency, 3, days=0)  # mastered after it was issued
    clr, badges = clr_of(user=world.student, student=world.student)
    assert len(badges) == 2  # stage 3 is not in the transcript issued
    assert issued.code in clr["description"]


# ---- signing and verifying -----------------------------------------------------------------


def test_the_signed_record_verifies_by_other_implementations_and_a_changed_character_fails(
    mastered, client
):
    record = signed_record(user=mastered.student, student=mastered.student)
    token = record["jwt"]
    jwk = published_key(client)
    header = json.loads(b64decode(token.split(".")[0]))
    assert header == {"alg": "EdDSA", "kid": header["kid"], "typ": "JWT"}
    assert header["kid"].endswith(f"/.well-known/jwks.json#{jwk['kid']}")
    for verified in (verified_by_joserfc(token, jwk), verified_by_cryptography(token, jwk)):
        assert verified["iss"] == verified["issuer"]["id"]
        assert verified["jti"] == verified["id"] == record["credential"]["id"]
        assert verified["sub"] == verified["credentialSubject"]["id"]
        assert verified["type"] == ["VerifiableCredential", "ClrCredential"]
    assert verify_jwt(token).valid
    for each in record["achievement_credentials"]:
        assert verified_by_joserfc(each, jwk)["type"][1] == "AchievementCredential"

    changed = tampered(token)
    with pytest.raises(BadSignatureError):
        verified_by_joserfc(changed, jwk)
    with pytest.raises(InvalidSignature):
        verified_by_cryptography(changed, jwk)
    assert verify_jwt(changed).reason == "bad signature"


def test_the_verification_endpoint_answers_valid_or_why_not_and_nothing_else(mastered, client):
    token = signed_record(user=mastered.student, student=mastered.student)["jwt"]
    url = reverse("records:verify")
    answer = client.post(url, data=token, content_type="text/plain").json()
    assert answer == {"valid": True, "reason": "signature verified"}
    assert client.post(url, {"jwt": token}).json()["valid"]
    assert client.post(url, {"jwt": token}, content_type="application/json").json()["valid"]
    assert client.post(url, data=tampered(token), content_type="text/plain").json() == {
        "valid": False,
        "reason": "bad signature",
    }
    header, payload, signature = token.split(".")
    other = json.loads(b64decode(header)) | {"kid": "https://elsewhere.example/keys#1"}
    foreign = base64.urlsafe_b64encode(json.dumps(other).encode()).rstrip(b"=").decode()
    assert client.post(
        url, data=f"{foreign}.{payload}.{signature}", content_type="text/plain"
    ).json() == {
        "valid": False,
        "reason": "unknown key",
    }
    assert client.post(url, data="nonsense", content_type="text/plain").json()["valid"] is False
    assert client.post(url, data="", content_type="text/plain").status_code == 400
    assert client.post(url, data=token, content_type="text/plain")["Access-Control-Allow-Origin"]


def test_a_credential_whose_claims_disagree_with_it_is_refused(mastered):
    clr, _badges = clr_of(user=mastered.student, student=mastered.student)
    token = sign(clr)
    header, payload, _signature = token.split(".")
    # Signed by the right key, but the registered claims say another subject.
    data = json.loads(b64decode(payload)) | {"sub": "urn:uuid:someone-else"}
    forged = pyjwt.encode(
        data, issuer_key(), algorithm="EdDSA", headers=json.loads(b64decode(header))
    )
    assert verify_jwt(forged).reason == "claims disagree with the credential"


def test_the_key_is_kept_in_the_home_for_its_owner_alone_and_published(mastered, client):
    signed_record(user=mastered.student, student=mastered.student)
    path = home_dir() / ISSUER_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    jwk = published_key(client)
    assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}  # never "d"
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
    assert "PRIVATE" in path.read_text() and jwk["x"] not in path.read_text()
    answer = client.get(reverse("records:jwks"))
    assert answer["Access-Control-Allow-Origin"] == "*"  # a verifier in any browser reads it
    assert answer["Cache-Control"] == "public, max-age=3600"


def test_the_issuer_profile_resolves(mastered, client):
    clr, _badges = clr_of(user=mastered.student, student=mastered.student)
    issuer_url = clr["issuer"]["id"]
    path = issuer_url.split("://", 1)[1].split("/", 1)[1]
    profile = client.get(f"/{path}").json()
    assert profile["id"] == issuer_url and profile["name"] == mastered.district.name
    assert profile["type"] == ["Profile"]
    assert client.get(reverse("records:issuer", args=[mastered.student.uuid])).status_code == 404


# ---- who downloads it ----------------------------------------------------------------------


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def strangers(mastered):
    world = mastered
    other_guardian = make_person(world.district, "otherguardian", Role.GUARDIAN, None)
    guardian_link(guardian=other_guardian, student=world.classmate)
    elsewhere = world.other_district_student.district
    elsewhere_admin = make_person(elsewhere, "elsewhereadmin", Role.DISTRICT_ADMIN, None)
    return {
        "classmate": world.classmate,
        "other_guardian": other_guardian,
        "other_teacher": world.other_teacher,
        "other_district_teacher": world.other_district_teacher,
        "other_district_admin": elsewhere_admin,
    }


@pytest.mark.parametrize(
    "role", ["student", "guardian", "teacher", "school_admin", "district_admin"]
)
def test_whoever_reads_the_transcript_downloads_the_record(mastered, role):
    world = mastered
    client = signed_in(getattr(world, role))
    page = client.get(reverse("records:record", args=[world.student.uuid]))
    assert page.status_code == 200
    answer = client.get(reverse("records:download", args=[world.student.uuid]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert answer["Cache-Control"] == "private, no-store"
    assert "attachment" in answer["Content-Disposition"]
    record = json.loads(answer.content)
    assert verify_jwt(record["jwt"]).valid
    assert len(record["achievement_credentials"]) == 2
    viewed = AuditEntry.objects.filter(
        action="student.viewed", student=world.student, data__via="learner record"
    )
    assert viewed.count() == (0 if role == "student" else 1)


@pytest.mark.parametrize(
    "who",
    [
        "classmate",
        "other_guardian",
        "other_teacher",
        "other_district_teacher",
        "other_district_admin",
    ],
)
def test_nobody_else_finds_the_record(strangers, mastered, who):
    client = signed_in(strangers[who])
    for name in ("records:record", "records:download"):
        assert client.get(reverse(name, args=[mastered.student.uuid])).status_code == 404, name
    assert client.post(reverse("records:record", args=[mastered.student.uuid])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(mastered, client):
    answer = client.get(reverse("records:download", args=[mastered.student.uuid]))
    assert answer.status_code == 302 and "login" in answer["Location"]


# ---- links ---------------------------------------------------------------------------------


def test_a_student_shares_a_link_anyone_opens_until_revoked(mastered):
    world = mastered
    student = signed_in(world.student)
    made = student.post(reverse("records:record", args=[world.student.uuid]), {"days": "30"})
    assert made.status_code == 302
    link = RecordLink.objects.get(student=world.student)
    assert len(link.code) >= 32
    page = student.get(reverse("records:record", args=[world.student.uuid])).content.decode()
    assert link.code in page

    anyone = Client()
    shared = anyone.get(reverse("records:shared", args=[link.code]))
    assert shared.status_code == 200 and shared["Cache-Control"] == "private, no-store"
    assert verify_jwt(shared.json()["jwt"]).valid
    by_code = anyone.get(reverse("records:verify"), {"code": link.code}).json()
    assert by_code == {"valid": True, "reason": "signature verified"}
    opened = AuditEntry.objects.get(data__via="learner record link")
    assert opened.actor_id is None and opened.student_id == world.student.pk

    revoked = student.post(reverse("records:revoke", args=[link.uuid]))
    assert revoked.status_code == 302
    assert anyone.get(reverse("records:shared", args=[link.code])).status_code == 404
    assert anyone.get(reverse("records:verify"), {"code": link.code}).json() == {
        "valid": False,
        "reason": "link revoked",
    }
    actions = list(
        AuditEntry.objects.filter(student=world.student, action__startswith="record_link.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["record_link.created", "record_link.revoked"]


def test_an_expired_link_opens_nothing(mastered, client):
    world = mastered
    link = record_link_create(
        actor=world.student,
        student=world.student,
        days=7,
        at=timezone.now() - timedelta(days=8),
    )
    assert client.get(reverse("records:shared", args=[link.code])).status_code == 404
    assert client.get(reverse("records:verify"), {"code": link.code}).json() == {
        "valid": False,
        "reason": "link expired",
    }


def test_without_a_code_the_public_ends_tell_nothing(mastered, client):
    assert client.get(reverse("records:shared", args=["guess"])).status_code == 404
    assert client.get(reverse("records:shared", args=["guess"])).json() == {"error": "not found"}
    assert client.get(reverse("records:verify"), {"code": "guess"}).json() == {
        "valid": False,
        "reason": "unknown link",
    }


def test_only_the_student_makes_and_ends_their_links(mastered):
    world = mastered
    link = record_link_create(actor=world.student, student=world.student)
    for role in ("guardian", "teacher", "district_admin", "classmate"):
        client = signed_in(getattr(world, role))
        assert client.post(reverse("records:revoke", args=[link.uuid])).status_code == 404, role
    guardian = signed_in(world.guardian)
    answer = guardian.post(reverse("records:record", args=[world.student.uuid]), {"days": "30"})
    assert answer.status_code == 404
    assert RecordLink.objects.filter(student=world.student).count() == 1
    page = guardian.get(reverse("records:record", args=[world.student.uuid])).content.decode()
    assert link.code not in page
    with pytest.raises(NotVisible):
        record_link_revoke(actor=world.guardian, link=link)
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_link_lasts_one_of_the_offered_spans(mastered):
    answer = signed_in(mastered.student).post(
        reverse("records:record", args=[mastered.student.uuid]), {"days": "3650"}
    )
    assert answer.status_code == 422
    assert not RecordLink.objects.exists()
