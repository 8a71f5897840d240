"""The stages only look down: a module imports modules of its own stage or of stages below it
(docs/architecture.md). Read from the source with ast, nothing imported."""

from __future__ import annotations

import ast
from pathlib import Path

FOLIO = Path(__file__).resolve().parent.parent / "folio"

# a stage's rank: each may import its own and lower ranks only
RANKS = {
    "folio": 0,  # ids, problems, clock, options, typefaces, pagemap: facts every stage shares
    "folio.edition": 1,  # the typed model, read and checked
    "folio.rebuild": 2,  # the cache, the fingerprint, the report of what moved
    "folio.units": 3,  # the units rendered and converted by Pandoc
    "folio.layout": 4,  # the print book (the only stage that reaches WeasyPrint)
    "folio.ebook": 5,
    "folio.web": 5,
    "folio.outputs": 6,  # the formats, each writing from the stages above
    "folio.build": 7,
    "folio.init": 8,
    "folio.cli": 8,
    "folio.__main__": 9,
}
# known exceptions, each to be taken away, never added to
ALLOWED: set[tuple[str, str]] = set()


def stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 2 and ".".join(parts[:2]) in RANKS:
        return ".".join(parts[:2])
    return "folio"


def imports() -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(FOLIO.rglob("*.py")):
        module = ".".join(path.relative_to(FOLIO.parent).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("folio"):
                targets = [node.module] if node.module != "folio" else [f"folio.{a.name}" for a in node.names]
                found += [(module, target, node.lineno) for target in targets]
            elif isinstance(node, ast.Import):
                found += [(module, a.name, node.lineno) for a in node.names if a.name.startswith("folio")]
    return found


def test_every_stage_imports_only_its_own_and_the_stages_below():
    upward = [
        f"{module} (line {line}) imports {target}"
        for module, target, line in imports()
        if RANKS[stage(target)] > RANKS[stage(module)] and (module, target) not in ALLOWED
    ]
    assert not upward, "a stage imports one above it:\n" + "\n".join(upward)


def test_the_known_exceptions_still_exist():
    """An exception no longer needed is taken off the list (the list only shrinks)."""
    present = {(module, target) for module, target, _line in imports()}
    assert ALLOWED <= present, ALLOWED - present
