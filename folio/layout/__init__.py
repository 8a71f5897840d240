"""Stages 4 to 6: the print book laid out, assembled and checked.

``parts`` cuts the book's HTML into parts opening on rectos; ``typeset`` lays them out in
parallel (``pdf``: one part through the layout ``engine``, the only module that reaches
WeasyPrint, with its corrections: continued notes, notes under their calls, line breaks),
read back (``readback``, ``page_facts``, ``diagnostics``) and filled to the foot of each page
(``page_fill``), until the printed page numbers settle; ``assemble`` makes one PDF of the
parts; ``preflight`` reads it back as a printer would; ``progress`` shows the layout as it
goes. (What the stages below and beside it share lives below them all: ``folio.pagemap``
carries the print pages into the EPUB and the web edition, ``folio.typefaces`` owns the fonts,
``folio.edition.output_intent`` the PDF/X profile.)
"""
