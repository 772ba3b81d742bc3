"""Signed statements (xAPI 1.0.3 Part 2, 2.6): the signature attachment is a JWS in compact
form, signed with RS256, RS384 or RS512, whose payload is the statement as it was before
the signature was attached. The store checks the form and the payload; it does not judge the
signer's certificate, which the specification leaves to whoever reads the statement."""

import copy
import json

import jwt

from proficio.lrs.xapi.shapes import same_statement
from proficio.lrs.xapi.validation import SIGNATURE_USAGE, BadStatement

ALGORITHMS = ("RS256", "RS384", "RS512")


def _unsigned(statement: dict) -> dict:
    unsigned = copy.deepcopy(statement)
    kept = [
        item for item in unsigned.get("attachments", ()) if item["usageType"] != SIGNATURE_USAGE
    ]
    if kept:
        unsigned["attachments"] = kept
    else:
        unsigned.pop("attachments", None)
    return unsigned


def signature_checked(statement: dict, signature: bytes, path: str) -> None:
    """Raise BadStatement unless `signature` is a JWS of `statement` in a form xAPI allows."""
    where = f"{path}.attachments"
    try:
        token = signature.decode("ascii").strip()
        header = jwt.get_unverified_header(token)
        payload = jwt.api_jws.PyJWS().decode_complete(token, options={"verify_signature": False})[
            "payload"
        ]
        signed = json.loads(payload)
    except (UnicodeDecodeError, jwt.exceptions.PyJWTError, ValueError) as error:
        raise BadStatement(where, "the signature is not a JWS in compact form") from error
    if header.get("alg") not in ALGORITHMS:
        raise BadStatement(where, "the signature must use RS256, RS384 or RS512")
    if not isinstance(signed, dict):
        raise BadStatement(where, "the signature's payload is not a statement")
    candidates = (signed, _unsigned(signed))
    unsigned = _unsigned(statement)
    try:
        matches = any(same_statement(candidate, unsigned) for candidate in candidates)
    except (KeyError, TypeError, BadStatement):
        matches = False
    if not matches:
        raise BadStatement(where, "the signature's payload is not this statement")
