"""Stage 1: the edition read and checked.

Its files are read inside the edition only (``files``), YAML with its lines (``yamlfile``),
against the schema that owns every key and default (``schema``, documented by
``schema_docs``), into the typed model (``model``) by ``load``; the bibliography
(``bibliography``, ``styles``) and the persons (``names``) with it; ``check`` then finds
every problem before anything is written.
"""
