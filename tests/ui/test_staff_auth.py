"""Console sign-in: tokens are issued only for the right credentials and checked on every use."""

from __future__ import annotations

import pytest

from app.ui.staff_auth import AccessDenied, StaffAuth


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
