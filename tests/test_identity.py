"""Visitor tokens: issued and signed by the server, unguessable, unforgeable, shared by workers."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from app.errors import InputError
from app.identity import VisitorTokens, api_key_matches, integration_customer


def test_a_token_names_its_visitor_and_nothing_else_passes(settings) -> None:
    tokens = VisitorTokens.from_settings(settings)
    token = tokens.issue()
    visitor = tokens.visitor(token)
    assert visitor is not None and len(visitor) == 32 and tokens.customer(token) == f"visitor:{visitor}"
    assert tokens.issue() != token
    version, _, signature = token.rpartition(".")
    other = VisitorTokens(b"another server's secret, 32 bytes")
    forged = [
        None,
        "",
        "v1." + "0" * 32 + ".x",
        f"{version}.{signature[::-1]}",
        token.replace(visitor, "f" * 32),
        token + "x",
        other.issue(),
        "v2" + token[2:],
        "\ud800" * 10,
    ]
    assert [tokens.visitor(candidate) for candidate in forged] == [None] * len(forged)


def test_workers_sharing_a_data_folder_or_a_secret_accept_each_others_tokens(settings) -> None:
    first, second = VisitorTokens.from_settings(settings), VisitorTokens.from_settings(settings)
    assert second.visitor(first.issue()) is not None  # the secret file in the data folder
    assert (settings.data_dir / "session-secret").stat().st_mode & 0o077 == 0  # owner only
    shared = settings.model_copy(update={"session_secret": SecretStr("a configured secret of 32 chars!!")})
    assert VisitorTokens.from_settings(shared).visitor(first.issue()) is None
    assert VisitorTokens.from_settings(shared).visitor(VisitorTokens.from_settings(shared).issue())


def test_integrations_name_plain_customers_with_the_right_key(settings) -> None:
    assert integration_customer(" crm-42 ") == "crm-42"
    for bad in ("", "   ", None, "visitor:abc", "x" * 201):
        with pytest.raises(InputError):
            integration_customer(bad)
    assert not api_key_matches(settings, "anything")  # no key configured: nothing matches
    keyed = settings.model_copy(update={"api_key": SecretStr("the-integration-key")})
    assert api_key_matches(keyed, "the-integration-key") and not api_key_matches(keyed, "the-integration-kez")
