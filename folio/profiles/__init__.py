"""Printing measurements folio makes its default output profile from (README.txt)."""
