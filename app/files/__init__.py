"""Files from outside, turned into text in one place: type by content, limits, sandboxed extraction.

- `names`: hostile file names refused; the type a name claims.
- `kinds`: the type the bytes prove (magic bytes, Office zip parts, UTF-8 text).
- `limits`: size, zip-bomb ratios, entry counts, encrypted PDFs; inflation counted, not trusted.
- `sandbox`: markitdown in a child process with time, memory and output limits.
- `tables`: Markdown tables as one "column: value" line per row.
- `archives`: a .zip upload unpacked safely into a folder.
- `pipeline`: the order every caller uses (`read_upload`, `read_text`).

The callers (`app.attachments`, `app.knowledge.loaders`, `app.ui.uploads`) decide only what to do
with the result. This package sits at the bottom of the layers: it imports nothing of `app` but
`app.errors`.
"""
