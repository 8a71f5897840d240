"""folio: a toolchain for footnoted critical editions.

The stages, as subpackages of plain functions over the typed model in
``folio.edition.model``:

    edition (files -> Edition, checked: Problems) -> units (Jinja2 -> Pandoc Markdown
    units -> Pandoc + citeproc) -> layout (the print PDF, WeasyPrint, read back) /
    ebook (EPUB 3, checked by EPUBCheck and Ace); rebuild (cache, changes, watch).

``build`` runs them; ``cli`` is the ``folio`` command.
"""

__version__ = "0.1.0"
