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
    "folio.press": 5,  # the cover, the printers' rules, the metadata feeds
    "folio.outputs": 6,  # the formats, each writing from the stages above
    "folio.build": 7,
    "folio.init": 8,
    "folio.cli": 8,
    "folio.review": 8,  # the copy-editors' round trip (export docx, import docx): over the build's checks
    "folio.__main__": 9,
}
# known exceptions, each to be taken away, never added to
ALLOWED: set[tuple[str, str]] = set()


def stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 2 and ".".join(parts[:2]) in RANKS:
        return ".".join(parts[:2])
    return "folio"


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(source: str) -> list[tuple[str, int]]:
    """The folio modules ``source`` imports when it runs, at any depth (an import under
    ``if TYPE_CHECKING:`` is for the type checker only and does not count), with their lines."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("folio"):
                names = [child.module] if child.module != "folio" else [f"folio.{a.name}" for a in child.names]
                found.extend((name, child.lineno) for name in names)
            elif isinstance(child, ast.Import):
                found.extend((a.name, child.lineno) for a in child.names if a.name.startswith("folio"))
            visit(child)

    visit(ast.parse(source))
    return found


def imports() -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(FOLIO.rglob("*.py")):
        module = ".".join(path.relative_to(FOLIO.parent).with_suffix("").parts).removesuffix(".__init__")
        found += [(module, target, line) for target, line in imports_of(path.read_text(encoding="utf-8"))]
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


def test_no_modules_import_each_other_round_in_a_circle():
    """Within a stage too: two modules that need each other are one module, or share a third."""
    found = imports()
    modules = {module for module, _, _ in found}

    def resolve(name: str) -> str:
        while name not in modules and "." in name:
            name = name.rsplit(".", 1)[0]
        return name

    edges: dict[str, set[str]] = {}
    for module, target, _line in found:
        if resolve(target) != module:
            edges.setdefault(module, set()).add(resolve(target))
    circles, state = [], {}

    def walk(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                circles.append(" -> ".join([*path[path.index(target) :], module, target]))
            elif target not in state:
                walk(target, [*path, module])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            walk(module, [])
    assert not circles, "modules that import each other:\n" + "\n".join(circles)


def test_the_checker_sees_an_import_that_counts_and_one_that_does_not():
    source = "from folio.layout import pdf\nif TYPE_CHECKING:\n    from folio.units import convert\ndef f():\n    import folio.web.site\n"
    assert imports_of(source) == [("folio.layout", 1), ("folio.web.site", 5)]
    assert RANKS[stage("folio.layout.pdf")] > RANKS[stage("folio.edition.load")]


def test_no_test_imports_another_test_module():
    """Shared helpers live in conftest.py or a helper module (laid_out.py, pdfread.py), never in
    a test file another test file imports."""
    tests = Path(__file__).resolve().parent
    found = []
    for path in sorted(tests.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            found += [f"{path.name}:{node.lineno} imports {name}" for name in names if name.startswith("test_")]
    assert not found, "\n".join(found)
