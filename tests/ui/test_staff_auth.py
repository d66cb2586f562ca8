"""Console sign-in: tokens are issued only for the right credentials and checked on every use."""

from __future__ import annotations

import pytest

from app.ui.staff_auth import AccessDenied, SignInThrottle, StaffAuth


def test_right_credentials_give_a_token_that_names_the_staff():
    auth = StaffAuth("sam", "s3cret")
    token = auth.sign_in("sam", "s3cret")
    assert auth.require(token) == "sam"


@pytest.mark.parametrize(("user", "password"), [("sam", "wrong"), ("eve", "s3cret"), ("", "")])
def test_wrong_credentials_are_refused(user: str, password: str):
    with pytest.raises(AccessDenied, match="Wrong username or password"):
        StaffAuth("sam", "s3cret").sign_in(user, password)


def test_missing_forged_expired_and_signed_out_tokens_are_refused():
    now = [0.0]
    auth = StaffAuth("sam", "s3cret", ttl_s=10, clock=lambda: now[0])
    for token in (None, "", "forged"):
        with pytest.raises(AccessDenied):
            auth.require(token)
    token = auth.sign_in("sam", "s3cret")
    now[0] = 11.0
    with pytest.raises(AccessDenied, match="ended"):
        auth.require(token)
    token = auth.sign_in("sam", "s3cret")
    auth.sign_out(token)
    with pytest.raises(AccessDenied):
        auth.require(token)


def test_console_without_configured_credentials_is_disabled(settings):
    auth = StaffAuth.from_settings(settings)
    assert not auth.enabled
    with pytest.raises(AccessDenied, match="disabled"):
        auth.sign_in("", "")
    with pytest.raises(AccessDenied):
        auth.require("anything")


def test_wrong_passwords_back_off_exponentially_per_address_and_per_username():
    now = [0.0]
    auth = StaffAuth("sam", "s3cret", clock=lambda: now[0])
    for _ in range(3):  # the free failures
        with pytest.raises(AccessDenied, match="Wrong"):
            auth.sign_in("sam", "guess", ip="10.0.0.1")
    for wait in (1, 2, 4, 8):
        with pytest.raises(AccessDenied, match=f"wait {wait} seconds"):
            auth.sign_in("sam", "s3cret", ip="10.0.0.1")  # refused unchecked, even the right one
        with pytest.raises(AccessDenied, match=f"wait {wait} seconds"):
            auth.sign_in("sam", "guess", ip="10.9.9.9")  # another address, the same username
        now[0] += wait
        with pytest.raises(AccessDenied, match="Wrong"):
            auth.sign_in("sam", "guess", ip="10.0.0.1")
    now[0] += 16
    assert auth.require(auth.sign_in("sam", "s3cret", ip="10.0.0.1")) == "sam"  # a success resets
    with pytest.raises(AccessDenied, match="Wrong"):
        auth.sign_in("sam", "guess", ip="10.0.0.1")


def test_the_back_off_is_capped_and_a_refused_sign_in_logs_nothing_typed(caplog):
    now = [0.0]
    throttle = SignInThrottle(free=0, max_delay_s=30, clock=lambda: now[0])
    auth = StaffAuth("sam", "s3cret", clock=lambda: now[0], throttle=throttle)
    with caplog.at_level("DEBUG"):
        for _ in range(12):
            with pytest.raises(AccessDenied):
                auth.sign_in("my-password-typed-as-user", "another-secret", ip="10.0.0.2")
            now[0] += 31
    assert throttle.delay_s(12) == 30
    logged = " ".join(f"{record.getMessage()} {vars(record)}" for record in caplog.records)
    assert "staff sign-in refused" in logged
    assert "my-password-typed-as-user" not in logged and "another-secret" not in logged
