"""Stage 5c: the web edition, a static site made from the same converted units as the
print book and the EPUB (``pages``: the units' HTML for the web; ``claim_review``: each
claim as schema.org data; ``search``: the static search index; ``site``: the pages written
through the templates; ``serve``: a local server that rebuilds on every save)."""
