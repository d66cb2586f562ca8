"""Sign-in for the staff area (hand-off console, knowledge admin, evaluation runs), kept on the server.

The browser only ever holds an opaque random token (in one `gr.State` shared by every tab); the
server maps it to the staff name and an expiry. Every staff handler calls `require(token)` before it
reads or changes anything, so hiding staff controls in the page is cosmetic, never the protection.
Credentials come from the settings and are compared in constant time; without them every staff
action stays disabled. Wrong passwords slow a guesser down: after a few failures from one IP
address or for one username, each further attempt must wait twice as long as the last (up to a
cap), and the log records only that a sign-in failed and from where, never what was typed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.errors import SupportError
from app.settings import Settings

logger = logging.getLogger(__name__)

SESSION_SECONDS = 8 * 3600
DISABLED_MESSAGE = "Staff actions are disabled: no staff credentials are configured."


MAX_TRACKED = 10_000


class AccessDenied(SupportError):
    """The caller is not a signed-in member of staff (or staff actions are disabled)."""


@dataclass
class _Failures:
    count: int
    last: float


class SignInThrottle:
    """Exponential back-off per key (an IP address, a username): after `free` failures, the next
    attempt must wait 1 s, then 2 s, 4 s, ... up to `max_delay_s`; a success clears the key."""

    def __init__(self, *, free: int = 3, max_delay_s: float = 900.0, clock: Callable[[], float]) -> None:
        self.free = free
        self.max_delay_s = max_delay_s
        self.clock = clock
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def delay_s(self, failures: int) -> float:
        """How long to wait after this many failures in a row."""
        if failures < self.free:
            return 0.0
        return min(self.max_delay_s, 2.0 ** min(failures - self.free, 62))

    def wait_s(self, keys: list[str]) -> float:
        """Seconds until every key may try again (0 when they may now)."""
        now = self.clock()
        with self._lock:
            waits = [
                state.last + self.delay_s(state.count) - now
                for key in keys
                if (state := self._failures.get(key)) is not None
            ]
        return max([0.0, *waits])

    def failed(self, keys: list[str]) -> int:
        """Record a failure for every key; returns the highest failure count among them."""
        now = self.clock()
        with self._lock:
            if len(self._failures) > MAX_TRACKED:
                self._forget_old(now)
            for key in keys:
                state = self._failures.setdefault(key, _Failures(0, now))
                state.count, state.last = state.count + 1, now
            return max(self._failures[key].count for key in keys)

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _forget_old(self, now: float) -> None:
        """Drop keys whose back-off has long expired, so random usernames cannot fill memory."""
        expired = [k for k, s in self._failures.items() if now - s.last > 2 * self.max_delay_s]
        for key in expired:
            del self._failures[key]


class StaffAuth:
    """Issues and checks staff session tokens against the configured staff credentials."""

    def __init__(
        self,
        username: str | None,
        password: str | None,
        *,
        ttl_s: float = SESSION_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        throttle: SignInThrottle | None = None,
    ) -> None:
        self._username = username
        self._password = password
        self._ttl_s = ttl_s
        self._clock = clock
        self._sessions: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self.throttle = throttle or SignInThrottle(clock=clock)

    @classmethod
    def from_settings(cls, settings: Settings) -> StaffAuth:
        password = settings.staff_password.get_secret_value() if settings.staff_password else None
        throttle = SignInThrottle(
            free=settings.staff_sign_in_free_failures,
            max_delay_s=settings.staff_sign_in_max_delay_s,
            clock=time.monotonic,
        )
        return cls(settings.staff_username, password, throttle=throttle)

    @property
    def enabled(self) -> bool:
        return bool(self._username) and bool(self._password)

    def sign_in(self, username: str, password: str, *, ip: str | None = None) -> str:
        """Return a fresh session token for the right credentials; raise AccessDenied otherwise,
        also (without checking anything) while this IP address or username must wait."""
        if not self.enabled:
            raise AccessDenied(DISABLED_MESSAGE)
        keys = [f"ip:{ip or 'unknown'}", "user:" + _fingerprint(username)]
        wait = self.throttle.wait_s(keys)
        if wait > 0:
            logger.warning("staff sign-in throttled", extra={"ip": ip, "wait_s": math.ceil(wait)})
            raise AccessDenied(
                f"Too many failed sign-ins; please wait {math.ceil(wait)} seconds before trying again."
            )
        user_ok = hmac.compare_digest(_utf8(username), _utf8(self._username))
        pass_ok = hmac.compare_digest(_utf8(password), _utf8(self._password))
        if not (user_ok and pass_ok):
            failures = self.throttle.failed(keys)
            logger.warning("staff sign-in refused", extra={"ip": ip, "failures": failures})
            raise AccessDenied("Wrong username or password.")
        self.throttle.succeeded(keys)
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


def _utf8(text: str | None) -> bytes:
    return (text or "").encode("utf-8", "surrogatepass")


def _fingerprint(username: str | None) -> str:
    """A username as a throttle key: hashed, so what was typed is never held in memory or logs."""
    return hashlib.sha256(_utf8((username or "").strip().lower())).hexdigest()[:32]
