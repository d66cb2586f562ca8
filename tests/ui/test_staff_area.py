"""The staff area: one token unlocks the staff sections of every tab, and every staff action reads it.

The layout is checked through Gradio's page config (what the browser receives), not a browser.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import pytest

from app.ui.console import build_console_tab
from app.ui.eval_tab import build_eval_tab
from app.ui.knowledge_tab import build_knowledge_tab
from app.ui.staff_area import StaffSection
from app.ui.staff_auth import StaffAuth

STAFF_BUTTONS = ("kb-add", "kb-remove", "eval-run")


def _staff_page(settings, auth: StaffAuth) -> tuple[dict[str, Any], int]:
    """The page config of the staff-relevant tabs sharing one token, and that token's id."""
    with gr.Blocks() as demo:
        token = gr.State(None)
        build_knowledge_tab(demo, None, settings, auth, token)
        build_console_tab(None, auth, token)
        build_eval_tab(settings, auth, token)
    return demo.get_config_file(), token._id


def _by_elem_id(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["props"]["elem_id"]: c for c in config["components"] if c["props"].get("elem_id")}


def _click_inputs(config: dict[str, Any], component_id: int) -> list[int]:
    return next(d["inputs"] for d in config["dependencies"] if (component_id, "click") in d["targets"])


def test_every_staff_action_reads_the_one_token_the_console_signs_in_with(settings):
    config, token_id = _staff_page(settings, StaffAuth("sam", "pw"))
    components = _by_elem_id(config)
    for elem_id in STAFF_BUTTONS:
        assert _click_inputs(config, components[elem_id]["id"])[0] == token_id, elem_id
    sign_in = components["staff-sign-in"]["id"]
    assert any(token_id in d["outputs"] for d in config["dependencies"] if (sign_in, "click") in d["targets"])


def test_staff_sections_start_hidden_behind_a_sign_in_notice(settings):
    components = _by_elem_id(_staff_page(settings, StaffAuth("sam", "pw"))[0])
    for section in ("kb-admin", "eval-admin"):
        assert components[section]["props"]["visible"] is False
        assert "sign in" in components[f"{section}-locked"]["props"]["value"]
    assert components["kb-search"]["props"]["visible"] is True  # the playground stays public
    assert components["eval-compare"]["props"]["visible"] is True


def test_without_credentials_staff_sections_show_only_the_disabled_notice(settings):
    components = _by_elem_id(_staff_page(settings, StaffAuth(None, None))[0])
    for section in ("kb-admin", "eval-admin"):
        assert components[section]["props"]["visible"] is False
        assert f"{section}-locked" not in components
        assert "disabled" in components[f"{section}-disabled"]["props"]["value"]
    assert "staff-sign-in" not in components


@pytest.mark.parametrize(
    ("token_of", "shown"),
    [
        (lambda auth: None, False),
        (lambda auth: "forged", False),
        (lambda auth: auth.sign_in("sam", "pw"), True),
    ],
)
def test_sections_show_only_for_a_valid_token(token_of, shown):
    auth = StaffAuth("sam", "pw")
    controls, notice = StaffSection(auth).visibility(token_of(auth))
    assert (controls["visible"], notice["visible"]) == (shown, not shown)


def test_a_signed_out_token_hides_the_sections_again():
    auth = StaffAuth("sam", "pw")
    token = auth.sign_in("sam", "pw")
    auth.sign_out(token)
    assert StaffSection(auth).visibility(token)[0]["visible"] is False
