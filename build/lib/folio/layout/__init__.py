"""Stages 4 to 6: the print book laid out, assembled and checked.

``parts`` cuts the book's HTML into parts opening on rectos; ``typeset`` lays them out in
parallel (``pdf``: one part with WeasyPrint, then the corrections read back from its
layout: ``footnote_policy``, ``line_breaks``, ``continued_notes``, ``page_fill``) until the
printed page numbers settle; ``assemble`` makes one PDF of the parts; ``preflight`` reads it
back as a printer would. ``pagemap`` carries the print pages into the EPUB; ``typefaces`` and
``output_intent`` are the bundled fonts and the PDF/X profile; ``progress`` shows the layout
as it goes.
"""
