"""Stage 7: the EPUB written and checked.

``epub`` writes the EPUB 3 from the units' ASTs and the print layout's page map, and
finishes it on parsed trees; ``cover`` draws its cover; ``epub_check`` runs EPUBCheck and
DAISY Ace on it and turns their findings into coded problems.
"""
