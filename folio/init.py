"""``folio init DIR``: a new edition that builds clean at once (the files of folio/starter:
a commented edition.yaml, a chapter with one claim, an essay chapter, one quotation, a
person, a bibliography of three works, a README for the editor), with the JSON Schemas the
files' modelines point to. ``--no-claims`` starts an edition of essays only."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from folio.edition.schema_docs import write_schemas

STARTER = Path(str(resources.files("folio") / "starter"))


def init(target: Path, claims: bool = True) -> list[str]:
    """Write the new edition into ``target`` (which must not hold one); return what was written.
    Raises FileExistsError when there is an edition there already."""
    if (target / "edition" / "edition.yaml").exists() or (target / "edition.yaml").exists():
        raise FileExistsError(f"{target} already holds an edition")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(STARTER, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if not claims:
        edition = target / "edition"
        shutil.rmtree(edition / "claims")
        shutil.rmtree(edition / "quotations")
        (edition / "chapters" / "01-first-chapter.md").unlink()
        settings = (edition / "edition.yaml").read_text(encoding="utf-8")
        start = settings.index("# The vocabulary of assessments")
        end = settings.index("print:")
        settings = settings[:start] + settings[end:]
        settings = settings.replace(
            "chapters: [chapters/01-first-chapter.md, chapters/02-an-essay.md]", "chapters: [chapters/02-an-essay.md]"
        )
        settings = settings.replace("subtitle: Claims Examined against the Record", "subtitle: Essays")
        (edition / "edition.yaml").write_text(settings, encoding="utf-8")
        intro = edition / "front" / "introduction.md"
        intro.write_text(
            intro.read_text(encoding="utf-8").replace("examines one claim against the record", "gathers essays"),
            encoding="utf-8",
        )
        bib = target / "bibliography.bib"
        text = bib.read_text(encoding="utf-8")
        bib.write_text(text[: text.index("@book{example-source")].rstrip() + "\n", encoding="utf-8")
    write_schemas(target / "schemas")
    return sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
