"""The Gradio interface: the chat, the staff console, the knowledge and evaluation tabs (see blocks.py)."""
