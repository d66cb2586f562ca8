"""Staff-only sections of the page: one sign-in (the console's token) unlocks them in every tab.

A section is a hidden column plus a notice. Without configured credentials the notice says staff
actions are disabled and the column never shows; otherwise the column appears while the shared
token is valid. Showing or hiding is only for the eye: each staff handler still calls
`StaffAuth.require(token)` itself, because a hidden button's event can still be called.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from app.ui.staff_auth import StaffAuth

DISABLED_NOTICE = (
    "### 🔒 Staff actions are disabled\n"
    "No staff credentials are configured. Set `SUPPORT_STAFF_USERNAME` and `SUPPORT_STAFF_PASSWORD` "
    "and restart the server to enable them."
)
LOCKED_NOTICE = "🔒 *Staff only: sign in on the **Hand-off console** tab to {what}.*"


class StaffSection:
    """Show a section's controls to signed-in staff only, and the matching notice to everyone else."""

    def __init__(self, auth: StaffAuth) -> None:
        self.auth = auth

    def visibility(self, token: str | None) -> tuple[Any, Any]:
        """(controls, notice) updates for the holder of `token`."""
        signed_in = self.auth.signed_in(token)
        return gr.update(visible=signed_in), gr.update(visible=not signed_in)


def staff_section(auth: StaffAuth, token: gr.State, *, what: str, elem_id: str) -> gr.Column:
    """A hidden column for staff controls, laid out in the current Blocks context; enter it with `with`."""
    if not auth.enabled:
        gr.Markdown(DISABLED_NOTICE, elem_id=f"{elem_id}-disabled", elem_classes="staff-disabled")
        return gr.Column(visible=False, elem_id=elem_id)
    notice = gr.Markdown(LOCKED_NOTICE.format(what=what), elem_id=f"{elem_id}-locked")
    controls = gr.Column(visible=False, elem_id=elem_id)
    token.change(StaffSection(auth).visibility, token, [controls, notice], show_progress="hidden")
    return controls
