"""A learning tool's credentials: created by a district admin (the page or `proficio xapi
credentials create`), shown once, checked on every request, revoked but never deleted (the
statements a tool sent keep naming it)."""

import hashlib
import hmac
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from proficio.audit import api as audit
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lrs.models import Credential
from proficio.lrs.xapi.validation import BadStatement, iri
from proficio.people.api import District, Person


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def credential_create(
    *, actor: Person | None, district: District, name: str, account_home_page: str = ""
) -> tuple[Credential, str]:
    """New credentials for the tool `name`: the row and its secret, which is never kept.
    `account_home_page`: the home page of the tool's accounts that name students by username
    or sourcedId (none: accounts are matched to no one)."""
    name, account_home_page = name.strip(), account_home_page.strip()
    if account_home_page:
        try:
            iri(account_home_page, "account_home_page")
        except BadStatement as error:
            raise InvalidInput(
                {"account_home_page": _("Give the full address, e.g. https://sis.example.org")}
            ) from error
    if not name:
        raise InvalidInput({"name": _("Name the tool these credentials are for.")})
    if len(name) > 200:
        raise InvalidInput({"name": _("The name is longer than 200 characters.")})
    secret = secrets.token_urlsafe(32)
    credential = Credential.objects.create(
        district=district,
        name=name,
        key=secrets.token_hex(10),
        secret_digest=_digest(secret),
        account_home_page=account_home_page,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=audit.LRS_CREDENTIAL_CHANGED,
        district_id=district.pk,
        target=credential,
        data={"tool": name, "key": credential.key, "change": "created"},
    )
    return credential, secret


@transaction.atomic
def credential_revoke(*, actor: Person | None, district: District, credential_id: int) -> None:
    """End a tool's access; what it sent stays."""
    credential = (
        Credential.objects.select_for_update()
        .filter(district=district, pk=credential_id, revoked_at=None)
        .first()
    )
    if credential is None:
        raise NotVisible(_("There are no such credentials."))
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=audit.LRS_CREDENTIAL_CHANGED,
        district_id=district.pk,
        target=credential,
        data={"tool": credential.name, "key": credential.key, "change": "revoked"},
    )


def credentials_of(district: District) -> QuerySet[Credential]:
    """A district's credentials, live and revoked."""
    return Credential.objects.filter(district=district).select_related("created_by")


def credential_authenticated(key: str, secret: str) -> Credential | None:
    """The live credentials with this key and secret, else None."""
    credential = (
        Credential.objects.filter(key=key, revoked_at=None).select_related("district").first()
    )
    if credential is None or not hmac.compare_digest(credential.secret_digest, _digest(secret)):
        return None
    return credential
