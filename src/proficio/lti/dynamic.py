"""LTI Dynamic Registration (1EdTech LTI-DR 1.0): an LMS admin opens the one-time address a
district admin made; Proficio reads the platform's OpenID configuration, registers itself
there as a client, and records the platform for the district with the client id it got."""

from urllib.parse import urlsplit

import requests
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.outbound import OutboundSession
from proficio.lti.models import Platform
from proficio.lti.services import invite_live, invite_use

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCOPES = " ".join(
    [
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    ]
)


def tool_urls(request: HttpRequest) -> dict[str, str]:
    """The tool's addresses an LMS is given, absolute."""
    return {
        name: request.build_absolute_uri(reverse(f"lti:{name}"))
        for name in ("login", "launch", "jwks")
    }


def _configuration(url: str, token: str) -> dict:
    if urlsplit(url).scheme not in {"http", "https"}:
        raise InvalidInput({"openid_configuration": _("Open this address from your LMS.")})
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        answer = OutboundSession().get(url, headers=headers)
        answer.raise_for_status()
        configuration = answer.json()
    except (requests.RequestException, ValueError) as failed:
        raise InvalidInput(
            {"openid_configuration": _("The LMS's configuration could not be read.")}
        ) from failed
    wanted = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    if not isinstance(configuration, dict) or not all(
        isinstance(configuration.get(key), str) for key in (*wanted, "registration_endpoint")
    ):
        raise InvalidInput(
            {"openid_configuration": _("The LMS's configuration lacks its endpoints.")}
        )
    # The specification: the configuration's address lies under the issuer it names.
    if not url.startswith(configuration["issuer"]):
        raise InvalidInput(
            {"openid_configuration": _("The configuration is not the issuer's own.")}
        )
    return configuration


def _client(configuration: dict, token: str, urls: dict[str, str]) -> str:
    """Register Proficio with the platform: the client id it gives."""
    domain = urlsplit(urls["launch"]).netloc
    body = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls["login"],
        "redirect_uris": [urls["launch"]],
        "client_name": "Proficio",
        "jwks_uri": urls["jwks"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": SCOPES,
        TOOL_CONFIGURATION: {
            "domain": domain,
            "target_link_uri": urls["launch"],
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": urls["launch"]},
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": urls["launch"],
                    "label": "Proficio",
                },
            ],
        },
    }
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        answer = OutboundSession().post(
            configuration["registration_endpoint"], json=body, headers=headers
        )
        answer.raise_for_status()
        registered = answer.json()
    except (requests.RequestException, ValueError) as failed:
        raise InvalidInput({"registration": _("The LMS refused the registration.")}) from failed
    client_id = registered.get("client_id") if isinstance(registered, dict) else None
    if not isinstance(client_id, str) or not client_id:
        raise InvalidInput({"registration": _("The LMS gave Proficio no client id.")})
    return client_id


def register(
    *, token: str, openid_configuration: str, registration_token: str, tool_urls: dict[str, str]
) -> Platform:
    """Carry out a dynamic registration through the invitation `token`."""
    if invite_live(token) is None:
        raise NotVisible(_("This registration address is used or has expired."))
    configuration = _configuration(openid_configuration, registration_token)
    client_id = _client(configuration, registration_token, tool_urls)
    platform_configuration = configuration.get(PLATFORM_CONFIGURATION)
    product = (
        platform_configuration.get("product_family_code", "")
        if isinstance(platform_configuration, dict)
        else ""
    )
    return invite_use(
        token=token,
        platform_fields={
            "name": str(product or urlsplit(configuration["issuer"]).netloc)[:200],
            "issuer": configuration["issuer"],
            "client_id": client_id,
            "auth_url": configuration["authorization_endpoint"],
            "token_url": configuration["token_endpoint"],
            "keyset_url": configuration["jwks_uri"],
        },
    )
