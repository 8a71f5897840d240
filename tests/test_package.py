"""folio as installable software: the command line, a new edition, the reference of the
files, JSON Schemas, CSL-JSON and CSL-YAML bibliographies, CSL styles."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, copy_small, run_build

from folio.cli import main

pytestmark = pytest.mark.slow  # builds books: run alone with -m 'not slow' for the fast tests


def _run(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_options_anywhere_version_and_exit_codes(capsys, tmp_path):
    edition = copy_small(tmp_path)
    assert _run(capsys, "-q", "check", "--edition", str(edition))[0] == 0
    assert _run(capsys, "check", "-q", "--edition", str(edition))[0] == 0
    status, out, _err = _run(capsys, "--version")
    assert status == 0 and re.match(r"folio \d+\.\d+", out)
    status, _out, err = _run(capsys, "buidl", "--edition", str(edition))
    assert status == 2 and "did you mean 'build'?" in err
    status, out, _err = _run(capsys, "--help")
    assert status == 0 and "exit status" in out and "3" in out
    (edition / "claims" / "first.md").write_text("no front matter", encoding="utf-8")
    assert _run(capsys, "check", "--edition", str(edition))[0] == 1


def test_results_on_stdout_progress_and_problems_on_stderr(capsys, tmp_path):
    edition = copy_small(tmp_path)
    status, out, err = _run(capsys, "build", "--edition", str(edition), "--output", str(tmp_path / "out"))
    assert status == 0
    assert "Wrote" in out and "Step 1" in err and "Wrote" not in err


def test_init_starts_an_edition_that_builds_clean(capsys, tmp_path):
    target = tmp_path / "my-book"
    assert _run(capsys, "init", str(target))[0] == 0
    for name in ("edition/edition.yaml", "bibliography.bib", "README.md", "edition/persons.yaml"):
        assert (target / name).is_file(), name
    assert "yaml-language-server: $schema=" in (target / "edition" / "edition.yaml").read_text(encoding="utf-8")
    status, out, err = _run(
        capsys, "build", "--strict", "--edition", str(target / "edition"), "--output", str(target / "output")
    )
    assert status == 0, err
    assert (target / "output").is_dir() and list((target / "output").glob("*.pdf"))
    essays = tmp_path / "essays"
    assert _run(capsys, "init", "--no-claims", str(essays))[0] == 0
    assert "assessments" not in (essays / "edition" / "edition.yaml").read_text(encoding="utf-8").split("#")[0]
    assert _run(capsys, "check", "--strict", "--edition", str(essays / "edition"))[0] == 0
    assert _run(capsys, "init", str(target))[0] == 1  # it never writes over an edition


def test_schemas_validate_the_sample_and_the_reference_is_in_sync(capsys, tmp_path):
    from folio.edition.schema_docs import json_schemas, reference_markdown

    doc = (REPO / "docs" / "edition-format.md").read_text(encoding="utf-8")
    assert doc == reference_markdown(), "run: python -m folio schema --reference > docs/edition-format.md"
    assert _run(capsys, "schema", str(tmp_path / "schemas"))[0] == 0
    schemas = {p.stem: json.loads(p.read_text()) for p in (tmp_path / "schemas").glob("*.json")}
    assert set(schemas) >= {"edition", "claim", "chapter", "front", "quotations", "persons"}
    assert schemas == {name: schema for name, schema in json_schemas().items()}
    import yaml

    from folio.edition.schema_docs import validate_with

    sample = REPO / "edition"
    assert not validate_with(schemas["edition"], yaml.safe_load((sample / "edition.yaml").read_text()))
    for path in (sample / "claims").glob("*.md"):
        front = path.read_text(encoding="utf-8").split("---")[1]
        assert not validate_with(schemas["claim"], yaml.safe_load(front)), path
    for path in (sample / "quotations").glob("*.yaml"):
        assert not validate_with(schemas["quotations"], yaml.safe_load(path.read_text())), path
    assert validate_with(schemas["claim"], {"id": "x", "titel": "y"})  # a misspelt key is flagged


def _csl_items(bib: Path) -> list:
    """The small edition's bibliography as CSL-JSON, as Better BibTeX exports it."""
    return [
        {
            "id": "alpha2001",
            "type": "book",
            "title": "A Book about Moscow",
            "author": [{"family": "Alpha", "given": "Anna"}],
            "publisher": "Test University Press",
            "publisher-place": "Testville",
            "issued": {"date-parts": [[2001]]},
        },
        {
            "id": "beta1999",
            "type": "article-journal",
            "title": "An Article",
            "author": [{"family": "Beta", "given": "Boris"}],
            "container-title": "Journal of Tests",
            "volume": "4",
            "issue": "2",
            "page": "1-20",
            "issued": {"date-parts": [[1999]]},
        },
        {
            "id": "gamma2010",
            "type": "book",
            "title": "Documents",
            "editor": [{"family": "Gamma", "given": "Galina"}],
            "publisher": "Test University Press",
            "issued": {"date-parts": [[2010]]},
        },
        {
            "id": "speech1956",
            "type": "book",
            "title": "The Speech",
            "author": [{"family": "Khrushchev", "given": "Nikita"}],
            "publisher": "Test Press",
            "issued": {"date-parts": [[1956]]},
        },
    ]


@pytest.mark.parametrize("form", ["json", "yaml"])
def test_a_csl_bibliography_is_read_and_checked_like_bibtex(capsys, tmp_path, form):
    import yaml

    edition = copy_small(tmp_path)
    bib = edition.parent / "bibliography.bib"
    keys = set(re.findall(r"^@(?!string)\w+\{([^,\s]+),", bib.read_text(encoding="utf-8"), re.M))
    items = [item for item in _csl_items(bib) if item["id"] in keys]
    assert {item["id"] for item in items} == keys
    bib.unlink()
    path = edition.parent / f"bibliography.{form}"
    text = json.dumps(items, indent=2) if form == "json" else yaml.safe_dump({"references": items})
    path.write_text(text, encoding="utf-8")
    (edition / "edition.yaml").write_text(
        (edition / "edition.yaml").read_text(encoding="utf-8") + f"bibliography: ../bibliography.{form}\n",
        encoding="utf-8",
    )
    run = run_build(capsys, edition, tmp_path / "out")
    assert run.status == 0, run.stderr
    from pdfread import BuiltPdf

    assert "A Book about Moscow" in BuiltPdf(tmp_path / "out" / "small.pdf").all_text()
    claim = edition / "claims" / "first.md"
    claim.write_text(claim.read_text(encoding="utf-8").replace("[@beta1999, 7]", "[@betta1999, 7]"), encoding="utf-8")
    run = run_build(capsys, edition, tmp_path / "out", command="check")
    assert run.status == 1 and "E204: unknown citation key 'betta1999'" in run.stderr
    assert "did you mean 'beta1999'?" in run.stderr


def test_citation_styles_by_old_name_by_file_and_author_date(capsys, tmp_path):
    edition = copy_small(tmp_path)
    yaml_path = edition / "edition.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    for old in ("mhra", "modern-humanities-research-association"):  # CSL's renamed styles
        yaml_path.write_text(
            text.replace("citation_style: chicago-notes-bibliography", f"citation_style: {old}"), encoding="utf-8"
        )
        assert run_build(capsys, edition, tmp_path / "out", command="check").status == 0
    yaml_path.write_text(
        text.replace("citation_style: chicago-notes-bibliography", "citation_style: mhra-note"), encoding="utf-8"
    )
    run = run_build(capsys, edition, tmp_path / "out", command="check")
    assert run.status == 1 and "did you mean 'mhra-notes'" in run.stderr, run.stderr
    from folio.edition.styles import style_path

    (edition / "house.csl").write_bytes(style_path("chicago-notes-bibliography").read_bytes())
    yaml_path.write_text(
        text.replace("citation_style: chicago-notes-bibliography", "citation_style: house.csl"), encoding="utf-8"
    )
    assert run_build(capsys, edition, tmp_path / "out", command="check").status == 0
    yaml_path.write_text(
        text.replace("citation_style: chicago-notes-bibliography", "citation_style: chicago-author-date"),
        encoding="utf-8",
    )
    run = run_build(capsys, edition, tmp_path / "out")
    assert run.status == 0, run.stderr
    from pdfread import BuiltPdf, fold

    printed = fold(BuiltPdf(tmp_path / "out" / "small.pdf").all_text())
    assert re.search(r"a book \(Alpha 2001, 14\)", printed), printed[:3000]
    assert not re.search(r"[\w.]\((Alpha|Beta)", printed) and "cle (Beta 1999, 7)" in printed, printed[:2000]
    assert "1950 (Gamma 2010" not in printed and not re.search(r"2010\)?\s*\(2010", printed)


@pytest.mark.skipif(os.environ.get("FOLIO_SKIP_INSTALL_TEST") == "1", reason="asked to skip")
def test_pip_install_gives_a_folio_command_that_works_from_any_folder(tmp_path):
    # a fresh venv that borrows the locked dependencies (and pip, setuptools, wheel) from the project's
    # own, through a .pth file, so that nothing is fetched: what is tested is the package itself
    import site

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    packages = next(Path(p) for p in site.getsitepackages() if (Path(p) / "weasyprint").is_dir())
    own = next((venv / "lib").glob("python3*/site-packages"))
    (own / "borrowed.pth").write_text(str(packages) + "\n", encoding="utf-8")
    install = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            str(REPO),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert install.returncode == 0, install.stderr
    folio = venv / "bin" / "folio"
    work = tmp_path / "elsewhere"
    work.mkdir()

    # the installed package alone: no PYTHONPATH to another copy, no Ace named from outside
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FOLIO_ACE")}

    def run(*argv, cwd=work):
        return subprocess.run([str(folio), *argv], cwd=cwd, capture_output=True, text=True, env=env)

    nothing = run()  # bare folio where there is no edition: how to start one
    assert nothing.returncode == 2 and "folio init mybook" in nothing.stderr, nothing.stderr
    started = run("init", "book")
    assert started.returncode == 0 and "cd book\n    folio build" in started.stdout, started.stderr
    beside = run("check")  # the folder that holds the new book: the way to it
    assert beside.returncode == 2 and "'cd book'" in beside.stderr, beside.stderr
    book = work / "book"
    built = run("build", "-q", cwd=book)  # the README's path: init, cd, build
    assert built.returncode == 0, built.stderr
    assert list((book / "output").glob("*.pdf")) and list((book / "output").glob("*.epub"))
    inside = run("check", cwd=book / "edition")  # run inside edition/: that edition
    assert inside.returncode == 0 and "using this folder" in inside.stderr, inside.stderr
    named = run("check", "--edition", "book")  # the book's folder named: its edition/
    assert named.returncode == 0, named.stderr
    explained = run("problems", "W216")
    assert explained.returncode == 0 and explained.stdout.startswith("W216 (warning): ")
    epub = run("check", "--epub", cwd=book)  # without DAISY Ace: EPUBCheck's verdict, and how to get Ace
    if "ace" not in str(shutil.which("ace-cli") or ""):
        assert epub.returncode == 0, epub.stderr
        assert "warning W803" in epub.stderr and "npm install -g @daisy/ace-cli" in epub.stderr, epub.stderr
        assert "The EPUB passed EPUBCheck (DAISY Ace was not run)." in epub.stderr, epub.stderr
    # the printer's file with nothing installed but folio: its Coated FOGRA39 made from the package's data
    settings = book / "edition" / "edition.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace("print:\n", "print:\n  bleed: 0.125in\n  pdf_variant: pdf/x-4\n"), encoding="utf-8"
    )
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    printer = run("build", "-q", "--format", "pdf", cwd=book)
    assert printer.returncode == 0, printer.stderr
    assert list((tmp_path / "data" / "folio").glob("FOGRA39L_coated-*.icc")), printer.stderr
    module = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "folio", "--version"], cwd=work, capture_output=True, text=True
    )
    assert module.returncode == 0 and module.stdout.startswith("folio ")


def test_the_formats_are_registered_in_one_place_and_named_lazily():
    """The command line reads the registry without loading any writer (nor WeasyPrint)."""
    code = (
        "import sys; from folio.outputs import REGISTRY, requested; import folio.cli; "
        "print(sorted(REGISTRY), [f.name for f in requested(['html', 'pdf'])], "
        "'weasyprint' in sys.modules, any(m.startswith('folio.outputs.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert out.strip() == ("['cover', 'crossref', 'epub', 'html', 'onix', 'pdf'] ['pdf', 'html'] False False")
    import importlib

    from folio.outputs import REGISTRY

    for fmt in REGISTRY.values():  # each writer exists and has the interface
        module = importlib.import_module(fmt.module)
        assert callable(module.write), fmt.name


@pytest.mark.slow
def test_a_build_runs_only_the_stages_its_formats_need(tmp_path):
    from folio.build import Options, build

    edition = copy_small(tmp_path)
    result = build(Options(edition=edition, output=tmp_path / "out", formats=("epub",), cache=False))
    assert set(result.outputs) == {"epub"} and not result.problems.errors
    steps = " | ".join(result.timings)
    assert "Writing the EPUB" in steps and "Assembling the PDF" not in steps and "Preflight" not in steps
    assert "web edition" not in steps
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["small.epub"]
