"""folio: a toolchain for footnoted critical editions.

Stages, each a module of plain functions over the typed model in
``folio.model``:

    load (edition files -> Edition) -> check (Problems) -> render (Jinja2 ->
    Pandoc Markdown units) -> convert (Pandoc + citeproc) -> typeset (PDF,
    WeasyPrint) / package (EPUB 3, Pandoc)
"""

__version__ = "0.1.0"
