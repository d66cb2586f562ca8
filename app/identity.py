"""Who a customer is: an unguessable visitor token the server issues and signs.

A visitor token is `v1.<visitor id>.<signature>`: 128 random bits and an HMAC-SHA256 over them
with the server's secret, so only this server (or a worker sharing its secret) can issue one and
nobody can guess or forge another visitor's. The browser keeps it in an HttpOnly cookie
(`VISITOR_COOKIE`) the page never shows; other clients get one from `POST /api/session` and send it
as `Authorization: Bearer <token>`. The customer behind a token is `visitor:<visitor id>`, which
owns that visitor's conversations, memories, attachments and tickets.

Trusted back-ends instead send the configured API key (`X-API-Key`) and name their own customer
(`X-Customer-Id`); those ids can never take the `visitor:` form, so the two kinds never meet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from app.errors import InputError
from app.settings import Settings

logger = logging.getLogger(__name__)

VISITOR_COOKIE = "support_visitor"
API_KEY_HEADER = "X-API-Key"
CUSTOMER_HEADER = "X-Customer-Id"
VISITOR_PREFIX = "visitor:"
COOKIE_MAX_AGE_S = 365 * 24 * 3600
_VERSION = "v1"
_SECRET_FILE = "session-secret"


@dataclass(frozen=True)
class Caller:
    """Who is calling: the customer whose data the request may touch, and the address rate limits
    count (None for a trusted integration, which speaks for many customers from one address)."""

    customer: str
    ip: str | None = None


class VisitorTokens:
    """Issues and verifies signed visitor tokens."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the token secret must be at least 16 bytes")
        self._secret = secret

    @classmethod
    def from_settings(cls, settings: Settings) -> VisitorTokens:
        """Signed with settings.session_secret, else with a random secret kept in the data folder."""
        if settings.session_secret is not None:
            return cls(settings.session_secret.get_secret_value().encode("utf-8"))
        return cls(_stored_secret(Path(settings.data_dir) / _SECRET_FILE))

    def issue(self) -> str:
        """A fresh token for a new visitor."""
        visitor = secrets.token_hex(16)
        return f"{_VERSION}.{visitor}.{self._sign(visitor)}"

    def visitor(self, token: str | None) -> str | None:
        """The visitor id behind a genuine token; None for anything else (never raises)."""
        if not token or len(token) > 200:
            return None
        version, _, rest = token.partition(".")
        visitor, _, signature = rest.partition(".")
        if version != _VERSION or len(visitor) != 32 or not signature:
            return None
        if not hmac.compare_digest(signature.encode("ascii", "replace"), self._sign(visitor).encode("ascii")):
            return None
        return visitor

    def customer(self, token: str | None) -> str | None:
        """The customer id (`visitor:<id>`) behind a genuine token, else None."""
        visitor = self.visitor(token)
        return None if visitor is None else VISITOR_PREFIX + visitor

    def _sign(self, visitor: str) -> str:
        digest = hmac.new(self._secret, f"{_VERSION}.{visitor}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def integration_customer(customer: str | None) -> str:
    """An integration's own customer id, checked: present, plain text, never a visitor id."""
    customer = (customer or "").strip()
    if not customer:
        raise InputError(f"A trusted integration must name its customer ({CUSTOMER_HEADER} header).")
    if len(customer) > 200:
        raise InputError("The customer id is too long (at most 200 characters).")
    if customer.startswith(VISITOR_PREFIX):
        raise InputError(f"Customer ids starting with {VISITOR_PREFIX!r} are reserved for visitors.")
    return customer


def api_key_matches(settings: Settings, presented: str | None) -> bool:
    """Whether `presented` is the configured API key (constant-time; False when none is set)."""
    if settings.api_key is None or not presented:
        return False
    expected = settings.api_key.get_secret_value().encode("utf-8")
    return hmac.compare_digest(presented.encode("utf-8", "replace"), expected)


def _stored_secret(path: Path) -> bytes:
    """The secret in `path`, created (readable by the owner only) on first use."""
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    except ValueError:
        logger.warning("session secret file unreadable; replacing it", extra={"path": path.name})
        path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret.hex())
    try:
        os.link(temporary, path)  # first writer wins; a concurrent worker reads the winner's secret
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    finally:
        temporary.unlink(missing_ok=True)
    return secret
