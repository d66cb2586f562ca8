"""Sign-in for the staff area (hand-off console, knowledge admin, evaluation runs), kept on the server.

The browser only ever holds an opaque random token (in one `gr.State` shared by every tab); the
server maps it to the staff name and an expiry. Every staff handler calls `require(token)` before it
reads or changes anything, so hiding staff controls in the page is cosmetic, never the protection.
Credentials come from the settings and are compared in constant time; without them every staff
action stays disabled.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable

from app.errors import SupportError
from app.settings import Settings

logger = logging.getLogger(__name__)

SESSION_SECONDS = 8 * 3600
DISABLED_MESSAGE = "Staff actions are disabled: no staff credentials are configured."


class AccessDenied(SupportError):
    """The caller is not a signed-in member of staff (or staff actions are disabled)."""


class StaffAuth:
    """Issues and checks staff session tokens against the configured staff credentials."""

    def __init__(
        self,
        username: str | None,
        password: str | None,
        *,
        ttl_s: float = SESSION_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._username = username
        self._password = password
        self._ttl_s = ttl_s
        self._clock = clock
        self._sessions: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> StaffAuth:
        password = settings.staff_password.get_secret_value() if settings.staff_password else None
        return cls(settings.staff_username, password)

    @property
    def enabled(self) -> bool:
        return bool(self._username) and bool(self._password)

    def sign_in(self, username: str, password: str) -> str:
        """Return a fresh session token for the right credentials; raise AccessDenied otherwise."""
        if not self.enabled:
            raise AccessDenied(DISABLED_MESSAGE)
        user_ok = hmac.compare_digest((username or "").encode(), (self._username or "").encode())
        pass_ok = hmac.compare_digest((password or "").encode(), (self._password or "").encode())
        if not (user_ok and pass_ok):
            logger.warning("staff sign-in refused", extra={"staff": (username or "")[:40]})
            raise AccessDenied("Wrong username or password.")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[token] = (self._username or "", self._clock() + self._ttl_s)
        logger.info("staff signed in", extra={"staff": self._username})
        return token

    def require(self, token: str | None) -> str:
        """The staff name behind a valid, unexpired token; raise AccessDenied for anything else."""
        if not self.enabled:
            raise AccessDenied(DISABLED_MESSAGE)
        if not token:
            raise AccessDenied("Staff only: please sign in on the Hand-off console tab first.")
        with self._lock:
            session = self._sessions.get(token)
            if session is None or session[1] < self._clock():
                self._sessions.pop(token, None)
                raise AccessDenied("Your staff session has ended; please sign in again.")
            return session[0]

    def signed_in(self, token: str | None) -> bool:
        """Whether `token` is a valid staff session now (for showing staff controls, not for gating)."""
        try:
            self.require(token)
        except AccessDenied:
            return False
        return True

    def sign_out(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)
