"""The token-signing key pair: made on first run, kept under var/, published as a JWKS."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt

from services.common.auth import ALGORITHM


@dataclass(frozen=True)
class SigningKey:
    """A private key and the public JWK that verifies what it signs."""

    private_pem: bytes
    kid: str
    public_jwk: dict[str, Any]

    @classmethod
    def from_pem(cls, private_pem: bytes) -> SigningKey:
        """Load a PEM private key and derive its key id and public JWK."""
        private = serialization.load_pem_private_key(private_pem, password=None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise ValueError("The signing key must be an RSA key.")
        public_der = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        kid = base64.urlsafe_b64encode(hashlib.sha256(public_der).digest()[:12]).decode().rstrip("=")
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        public_jwk = jwk.construct(public_pem, ALGORITHM).to_dict()
        public_jwk.update({"kid": kid, "use": "sig", "alg": ALGORITHM})
        return cls(private_pem=private_pem, kid=kid, public_jwk=public_jwk)

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKey:
        """The key stored at path, creating a new 2048-bit RSA key there on first run."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            # Created 0600 and renamed into place, so a second process never reads half a key.
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            if path.exists():
                temporary.unlink()
            else:
                temporary.replace(path)
        return cls.from_pem(path.read_bytes())

    def jwks(self) -> dict[str, Any]:
        """The public key set."""
        return {"keys": [self.public_jwk]}

    def issue(self, claims: dict[str, Any], *, issuer: str, audience: str, now: datetime, ttl: timedelta) -> str:
        """A signed RS256 token with issuer, audience, issue and expiry times."""
        body = {
            **claims,
            "iss": issuer,
            "aud": audience,
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
        }
        return str(jwt.encode(body, self.private_pem.decode(), algorithm=ALGORITHM, headers={"kid": self.kid}))
