"""The site's issuer key: the Ed25519 key that signs the learner records it issues (ADR 0043).

Kept in the home beside the secret key (`issuer_key.pem`, PKCS#8, 0600), generated on first
use, so a backup carries it and a restored site goes on verifying what it signed. Only its
public half ever leaves the home: as a JWK, named by its RFC 7638 thumbprint, which a JWS
header's `kid` points at and the site publishes in its JWKS.
"""

import base64
import hashlib
import json
import os
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from proficio.home import home_dir

ISSUER_KEY_FILE = "issuer_key.pem"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def issuer_key() -> Ed25519PrivateKey:
    """The issuer's private key, generated and kept in the home on first use."""
    return _load(home_dir() / ISSUER_KEY_FILE)


@cache
def _load(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first; theirs wins
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} holds no Ed25519 private key.")
    return key


def public_jwk(key: Ed25519PublicKey | None = None) -> dict[str, str]:
    """The public half of the issuer key (or of `key`) as a JWK, never with its `d`."""
    public = key or issuer_key().public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}
    return {**jwk, "kid": thumbprint(jwk), "alg": "EdDSA", "use": "sig"}


def thumbprint(jwk: dict[str, str]) -> str:
    """The RFC 7638 thumbprint of an OKP public key: SHA-256 of its required members."""
    members = {name: jwk[name] for name in ("crv", "kty", "x")}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode("utf-8")).digest())
