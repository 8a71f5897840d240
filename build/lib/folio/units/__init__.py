"""Stages 2 and 3: the edition's units rendered and converted.

``render`` fills the Jinja2 templates (sandboxed) into Pandoc Markdown units;
``fragments`` parses each Markdown field an editor wrote on its own and splices it into
them; ``convert`` runs Pandoc and citeproc on each unit, to HTML for print and to an AST
for the EPUB.
"""
