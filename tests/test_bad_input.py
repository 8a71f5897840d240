"""Bad input: a clear message with a code and file:line, a non-zero exit,
and nothing in output/ touched."""

from __future__ import annotations

import re

import pytest
from conftest import copy_small, run_build


@pytest.fixture
def edition(tmp_path):
    return copy_small(tmp_path)


@pytest.fixture
def output(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    (out / "small.pdf").write_bytes(b"the previous good PDF")
    return out


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_rejected(capsys, edition, output, code, place):
    before = snapshot(output)
    run = run_build(capsys, edition, output)
    assert run.status != 0
    assert re.search(rf"^{re.escape(place)}: error {code}: ", run.stderr, re.M), run.stderr
    assert "Traceback" not in run.stderr
    assert snapshot(output) == before
    return run


def test_malformed_yaml(capsys, edition, output):
    replace_in(edition / "edition.yaml", "year: 2026\n", "year: [2026\n")
    assert_rejected(capsys, edition, output, "E101", "edition/edition.yaml:9")


def test_malformed_front_matter_yaml(capsys, edition, output):
    replace_in(edition / "claims" / "second.md", "assessment: supported", "assessment: : supported")
    assert_rejected(capsys, edition, output, "E101", "edition/claims/second.md:7")


def test_duplicate_claim_id(capsys, edition, output):
    text = (edition / "claims" / "second.md").read_text(encoding="utf-8")
    (edition / "claims" / "third.md").write_text(text, encoding="utf-8")
    run = assert_rejected(capsys, edition, output, "E201", "edition/claims/third.md:2")
    assert "duplicate claim id 'second'" in run.stderr


def test_unknown_citation_key(capsys, edition, output):
    replace_in(edition / "claims" / "first.md", "[@beta1999, 7]", "[@betta1999, 7]")
    run = assert_rejected(capsys, edition, output, "E204", "edition/claims/first.md:13")
    assert "did you mean 'beta1999'?" in run.stderr


def test_unknown_citation_key_in_a_note_and_in_a_quotation(capsys, edition, output):
    replace_in(edition / "chapters" / "two.md", "citing [@gamma2010]", "citing [@gama2010]")
    replace_in(edition / "quotations" / "quotations.yaml", "source: beta1999", "source: nobody1900")
    run = assert_rejected(capsys, edition, output, "E204", "edition/chapters/two.md:10")
    assert "edition/quotations/quotations.yaml:13: error E204" in run.stderr


def test_unknown_quotation_id(capsys, edition, output):
    replace_in(edition / "claims" / "second.md", "quotations: [q-second-1]", "quotations: [q-second-1, q-third]")
    run = assert_rejected(capsys, edition, output, "E203", "edition/claims/second.md:8")
    assert "unknown quotation 'q-third'" in run.stderr


def test_malformed_bibtex(capsys, edition, output):
    """The entry that cannot be read is the problem; its citations are not reported as unknown
    keys (with advice that would be wrong), but counted with it."""
    replace_in(edition.parent / "bibliography.bib", "title = {An Article},", "title = {An Article,")
    run = assert_rejected(capsys, edition, output, "E301", "bibliography.bib:11")
    assert "E204" not in run.stderr and "did you mean" not in run.stderr, run.stderr
    assert "(and 3 citation(s) of 'beta1999', which follow from it)" in run.stderr, run.stderr


def test_duplicate_bibtex_key(capsys, edition, output):
    bib = edition.parent / "bibliography.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8") + "\n@book{alpha2001,\n  author = {Other, Otto},\n"
        "  title = {Another Book},\n  publisher = {P},\n  year = {2002}\n}\n",
        encoding="utf-8",
    )
    run = assert_rejected(capsys, edition, output, "E302", "bibliography.bib:35")
    assert "first defined on line 3" in run.stderr


def test_cited_bibtex_entry_missing_required_fields_is_one_warning_naming_them(capsys, edition, output):
    """citeproc prints such an entry short ("n.d."): the book is built, with a warning at the
    entry's line naming every field it lacks; --strict refuses it."""
    bib = edition.parent / "bibliography.bib"
    replace_in(bib, "  address = {Testville},\n  year = {2001}", "  address = {Testville}")
    replace_in(bib, "  title = {A Book about {Moscow}},\n", "")
    run = run_build(capsys, edition, output, "--format", "epub")
    assert run.status == 0, run.stderr
    assert re.search(
        r"^bibliography\.bib:3: warning W305: @book\{alpha2001\} has no title and no year or date", run.stderr, re.M
    ), run.stderr
    assert run_build(capsys, edition, output, "--strict", command="check").status == 1


def test_bibtex_entry_without_a_key(capsys, edition, output):
    bib = edition.parent / "bibliography.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8") + "\n@book{}\n@book{  ,\n  author = {Doe, Jane},\n  title = {T},\n}\n",
        encoding="utf-8",
    )
    run = assert_rejected(capsys, edition, output, "E308", "bibliography.bib:35")
    assert "bibliography.bib:36: error E308: an @book entry without a key" in run.stderr, run.stderr
    assert "E302" not in run.stderr and "W301" not in run.stderr, run.stderr


def test_unknown_key_in_edition_yaml_gets_a_hint(capsys, edition, output):
    replace_in(edition / "edition.yaml", "publisher: Test Press", "publsher: Test Press")
    run = assert_rejected(capsys, edition, output, "E103", "edition/edition.yaml:7")
    assert "did you mean 'publisher'?" in run.stderr


def test_all_problems_are_reported_in_one_run(capsys, edition, output):
    replace_in(edition / "claims" / "first.md", "[@beta1999, 7]", "[@betta1999, 7]")
    replace_in(edition / "claims" / "second.md", "assessment: supported", "assessment: suported")
    replace_in(edition / "chapters" / "one.md", "claims: [first, second]", "claims: [first, second, third]")
    run = assert_rejected(capsys, edition, output, "E204", "edition/claims/first.md:13")
    assert "edition/claims/second.md:7: error E205" in run.stderr
    assert "edition/chapters/one.md:4: error E202" in run.stderr
    assert "3 error(s)" in run.stderr


def test_check_command_writes_nothing_and_fails_on_errors(capsys, edition, output, tmp_path):
    replace_in(edition / "claims" / "first.md", "[@beta1999, 7]", "[@betta1999, 7]")
    run = run_build(capsys, edition, output, command="check")
    assert run.status == 1
    assert "E204" in run.stderr


def test_unused_bibliography_entry_is_a_warning(capsys, edition, output):
    bib = edition.parent / "bibliography.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8") + "\n@misc{unused2000,\n  title = {Never Cited}\n}\n", encoding="utf-8"
    )
    run = run_build(capsys, edition, output, command="check")
    assert run.status == 0
    assert "warning W301: 1 entry is never cited: 'unused2000' (line 35)" in run.stderr
    strict = run_build(capsys, edition, output, "--strict", command="check")
    assert strict.status == 1


def test_note_called_but_never_written(capsys, edition, output):
    replace_in(edition / "claims" / "first.md", "[^a1]: A note", "[^a2]: A note")
    run = assert_rejected(capsys, edition, output, "E211", "edition/claims/first.md:13")
    assert "note [^a1] is called but never written" in run.stderr
    assert "edition/claims/first.md:15: warning W303" in run.stderr


@pytest.mark.slow  # lays out the book
def test_same_note_label_in_two_claims_of_a_chapter_is_fine(capsys, edition, tmp_path):
    replace_in(
        edition / "claims" / "second.md",
        "See also [](#first).",
        "See also [](#first).[^a1]\n\n[^a1]: The second claim's own note a1.",
    )
    run = run_build(capsys, edition, tmp_path / "out", "--strict", "--format", "pdf")
    assert run.status == 0, run.stderr


def test_image_outside_the_edition_is_refused(capsys, edition, output):
    replace_in(edition / "claims" / "second.md", "See also [](#first).", "![secret](/etc/hostname)")
    run = assert_rejected(capsys, edition, output, "E213", "edition/claims/second.md:10")
    assert "image '/etc/hostname' is an absolute path" in run.stderr


def test_image_without_a_description_is_a_warning(capsys, edition, output):
    (edition / "images").mkdir()
    (edition / "images" / "plan.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    replace_in(edition / "claims" / "second.md", "See also [](#first).", "See also [](#first).\n\n![](images/plan.svg)")
    run = run_build(capsys, edition, output, command="check")
    assert (
        run.status == 0
        and "edition/claims/second.md:12: warning W214: image 'images/plan.svg' has no description" in run.stderr
    ), run.stderr
    assert run_build(capsys, edition, output, "--strict", command="check").status == 1


@pytest.mark.slow  # lays out the book
def test_a_note_longer_than_a_page_runs_on_over_the_next(capsys, edition, output):
    """A note taller than a page is no longer refused: its head stands under its call, the rest
    continues at the foot of the next page, unnumbered, and no note leaves its call's page."""
    sentence = "This note goes on and on about the documents of the period."
    long_note = " ".join([sentence] * 89 + ["The last words of the long note."])
    replace_in(
        edition / "claims" / "first.md", "[^a1]: A note of the editor's own on the first claim.", f"[^a1]: {long_note}"
    )
    run = run_build(capsys, edition, output, "--strict", "--ignore", "W507")  # (a page of notes may end short)
    assert run.status == 0, run.stderr
    from pdfread import BuiltPdf, fold

    pdf = BuiltPdf(output / "small.pdf")
    pages = pdf.destinations()
    call = pages["call-chapter-one-3"]
    assert pages["note-chapter-one-3"] == call
    assert "This note goes on and on" in fold(pdf.text(call))
    later = [
        index
        for index in range(call + 1, len(pdf.pages))
        if "The last words of the long note." in fold(pdf.text(index))
    ]
    assert later, "the end of the note is on a later page"
    import re

    letters = re.sub(r"\W", "", "".join(pdf.text(index) for index in range(call, later[0] + 1)))
    assert letters.count("documentsoftheperiod") == 89, "nothing of the note is lost"


def test_an_edition_folder_with_its_own_bibliography_is_self_contained(capsys, tmp_path):
    """--edition DIR alone: the bibliography inside the edition folder is found; a missing one is
    one E100 that names every place looked in, without a cascade of unknown keys."""
    import shutil

    edition = copy_small(tmp_path)
    alone = tmp_path / "alone"
    shutil.copytree(edition, alone)
    shutil.copy(edition.parent / "bibliography.bib", alone / "bibliography.bib")
    run = run_build(capsys, alone, tmp_path / "out", command="check")
    assert run.status == 0, run.stderr
    (alone / "bibliography.bib").rename(alone / "refs.bib")
    run = run_build(capsys, alone, tmp_path / "out", command="check")
    assert run.status == 1 and run.stderr.count("error E100") == 1 and "E204" not in run.stderr, run.stderr
    assert "looked for" in run.stderr and str(alone / "bibliography.bib") in run.stderr
    (alone / "edition.yaml").write_text(
        (alone / "edition.yaml").read_text(encoding="utf-8") + "bibliography: refs.bib\n", encoding="utf-8"
    )
    run = run_build(capsys, alone, tmp_path / "out", command="check")
    assert run.status == 0, run.stderr


@pytest.mark.parametrize("depth", [60, 1000, 5000])
def test_yaml_nested_too_deep_is_e109_whichever_parser_reads_it(depth):
    """libyaml 0.2.5 stops at 1,000 levels with its own message; the pure-Python parser
    would recurse: both end as the same coded problem, with the line."""
    from folio.edition import yamlfile

    for text in ("a: 1\ndeep: " + "[" * depth + "]" * depth + "\n", "a: 1\ndeep: " + "{x: " * depth + "}" * depth):
        with pytest.raises(yamlfile.YamlSyntaxError) as caught:
            yamlfile.parse_with_faults(text, first_line=10)
        assert caught.value.code == "E109"
        assert caught.value.line == 11


def test_a_second_yaml_document_is_named_and_does_not_cascade(capsys, edition, output):
    quotations = edition / "quotations" / "quotations.yaml"
    quotations.write_text(quotations.read_text(encoding="utf-8") + "\n---\n- id: q-extra\n", encoding="utf-8")
    run = assert_rejected(capsys, edition, output, "E101", "edition/quotations/quotations.yaml:16")
    assert "a second YAML document begins here" in run.stderr
    assert "E203" not in run.stderr  # the claims naming its quotations are not errors of their own
    assert "1 error(s)" in run.stderr


def test_a_file_listed_twice_in_the_contents(capsys, edition, output):
    replace_in(
        edition / "edition.yaml",
        "chapters: [chapters/one.md, chapters/two.md]",
        "chapters: [chapters/one.md, chapters/two.md, ./chapters/one.md]",
    )
    run = assert_rejected(capsys, edition, output, "E105", "edition/edition.yaml:23")
    assert "a second time (first on line 23)" in run.stderr and "E201" not in run.stderr


def test_an_empty_variant_of_a_name(capsys, edition, output):
    replace_in(edition / "persons.yaml", "variants: [Khrushchev]", 'variants: [Khrushchev, ""]')
    assert_rejected(capsys, edition, output, "E105", "edition/persons.yaml:2")


def test_names_match_whatever_the_unicode_form_of_their_accents():
    from folio.edition.model import Person
    from folio.edition.names import Marker

    person = Person("Ye\u0301zhov, Nikolai", "yezhov-nikolai", ("Ye\u0301zhov",))  # accents decomposed
    ast = {
        "blocks": [{"t": "Para", "c": [{"t": "Str", "c": "Y\u00e9zhov"}, {"t": "Space"}, {"t": "Str", "c": "said"}]}]
    }
    marker = Marker((person,), "chapter-one")
    marker.mark(ast)
    assert [m.person for m in marker.marks] == ["Ye\u0301zhov, Nikolai"]


@pytest.mark.slow  # lays out the book
def test_the_layout_kept_is_never_worse_than_one_laid_out_before(capsys, edition, output, monkeypatch):
    """Should the passes that put notes back under their calls end on a worse layout than one
    before (here: passes told of notes left behind that were not), the part is laid out again from
    the best layout seen: the build succeeds with every note on its page, a note longer than a
    page continued over the next."""
    from folio.layout import diagnostics, pdf

    sentence = "This note goes on and on about the documents of the period."
    long_note = " ".join([sentence] * 89 + ["The last words of the long note."])
    replace_in(
        edition / "claims" / "first.md", "[^a1]: A note of the editor's own on the first claim.", f"[^a1]: {long_note}"
    )
    real = pdf._misplaced_notes
    calls = []

    def misplaced(anchors):
        found = real(anchors)
        calls.append(1)
        if len(calls) <= 3:  # the first three passes are told of more and more notes left behind
            notes = sorted(a[len("call-") :] for a in anchors if a.startswith("call-"))
            return found + [
                diagnostics.NotePlacement(n, anchors[f"call-{n}"], anchors[f"call-{n}"] + 1)
                for n in notes[: len(calls)]
            ]
        return found

    monkeypatch.setattr(pdf, "_misplaced_notes", misplaced)
    monkeypatch.setattr(pdf, "MAX_PASSES", 3)
    run = run_build(capsys, edition, output, "--jobs", "1", "--no-cache", "--strict", "--ignore", "W507")
    assert run.status == 0, run.stderr
    assert "E502" not in run.stderr and "W501" not in run.stderr and len(calls) > 3
    from pdfread import BuiltPdf, fold

    book = BuiltPdf(output / "small.pdf")
    pages = book.destinations()
    for name, page in pages.items():
        if name.startswith("call-"):
            assert pages.get("note-" + name[len("call-") :]) == page, name
    begins = [n for n in range(len(book.pages)) if "This note goes on and on" in fold(book.text(n))]
    assert "The last words of the long note." in fold(book.text(begins[-1])) and len(begins) >= 2


def test_every_citation_form_pandoc_reads_is_checked(capsys, edition, output):
    """A braced key Pandoc cannot read ([@{no such key}]) prints as it stands: refused where it is
    written; a braced key it reads is checked like a plain one; an escaped '@' is the editor's text."""
    first = edition / "claims" / "first.md"
    replace_in(first, "[@beta1999, 7]", "[@{no such key}, 7]")
    replace_in(first, "[^a1]: A note", "[^a1]: Write to editor\\@{home}, see [@{odd:key.2}] and [@{}]. A note")
    run = assert_rejected(capsys, edition, output, "E216", "edition/claims/first.md:13")
    assert "'[@{no such key}' is not a citation" in run.stderr or "'@{no such key}'" in run.stderr, run.stderr
    assert re.search(r"first\.md:15: error E204: unknown citation key 'odd:key\.2'", run.stderr), run.stderr
    assert re.search(r"first\.md:15: error E216: a citation with an empty key", run.stderr), run.stderr
    assert "home" not in run.stderr


@pytest.mark.slow  # lays out the book
def test_a_note_of_five_thousand_words_runs_on_over_as_many_pages_as_it_needs(capsys, edition, output):
    """A note taller than many pages is printed whole, page after page; the notes called after it
    follow its end (their order kept, as TeX prints them): W508 at the claim's file and the long
    note's line, not the chapter's."""
    words = " ".join(f"w{n % 50}x" for n in range(5000))
    replace_in(
        edition / "claims" / "first.md",
        "[^a1]: A note of the editor's own on the first claim.",
        f"[^a1]: The long note begins. {words} The end of the long note.",
    )
    run = run_build(capsys, edition, output, "--format", "pdf")
    assert run.status == 0, run.stderr
    assert " error " not in run.stderr, run.stderr
    assert re.search(r"^edition/claims/first\.md:15: warning W508: note 4 of chapter-one", run.stderr, re.M), run.stderr
    assert "(edition/claims/first.md:15)" in run.stderr
    from pdfread import BuiltPdf

    pdf = BuiltPdf(output / "small.pdf")
    text = pdf.all_text()
    assert len(re.findall(r"w\d+x", text)) == 5000, "every word of the note is printed"
    pages = pdf.destinations()
    end = [n for n in range(len(pdf.pages)) if "The end of the long note." in pdf.text(n)]
    assert (
        pages["note-chapter-one-3"] == pages["call-chapter-one-3"] and end and end[0] - pages["call-chapter-one-3"] >= 5
    )


def test_an_unclosed_quote_in_front_matter_is_placed_where_it_opens(capsys, edition, output):
    replace_in(edition / "claims" / "first.md", "title: The first claim", 'title: "The first claim')
    run = assert_rejected(capsys, edition, output, "E101", "edition/claims/first.md:3")
    assert "a quote opened here is never closed" in run.stderr


def test_a_value_of_the_wrong_type_is_placed_at_its_own_line(capsys, edition, output):
    """An item of a list or a label of a mapping that is not a text: at its own line, named by
    its place in the list or mapping, and the rest of the mapping still used (no cascade)."""
    yaml_file = edition / "edition.yaml"
    replace_in(yaml_file, "subjects: [Testing]", "subjects:\n  - Testing\n  - [nested]")
    replace_in(yaml_file, "  contradicted: Contradicted by the evidence", "  contradicted: [x]")
    run = assert_rejected(capsys, edition, output, "E102", "edition/edition.yaml:18")
    assert "'subjects[2]' should be a text, not a list" in run.stderr
    assert re.search(r"edition\.yaml:21: error E102: 'assessments\.contradicted' should be a text", run.stderr)
    assert "E104" not in run.stderr and "E205" not in run.stderr, run.stderr


def test_lists_nested_too_deep_are_placed_at_the_line_where_they_go_too_deep(capsys, edition, output):
    deep = "".join("  " * n + "- item\n" for n in range(1, 400))
    replace_in(edition / "claims" / "first.md", "[^a1]: A note", "A paragraph.\n\n- top\n" + deep + "\n[^a1]: A note")
    assert_rejected(capsys, edition, output, "E217", f"edition/claims/first.md:{17 + 99}")


GEORGIAN = "ქართული"


def test_characters_no_font_has_are_one_warning_naming_them_and_the_setting(capsys, edition, output):
    replace_in(edition / "claims" / "first.md", "[^a1]: A note", f"[^a1]: A note on {GEORGIAN} 👍 🇺🇦, and")
    run = run_build(capsys, edition, output, "--format", "epub")
    assert run.status == 0, run.stderr
    found = [line for line in run.stderr.splitlines() if " W216: " in line]
    assert len(found) == 1 and found[0].startswith("edition/claims/first.md:15: warning W216: "), run.stderr
    assert "'ქ' (U+10E5)" in found[0] and "Georgian" in found[0] and "emoji" in found[0] and "flags" in found[0]
    assert "print: {fonts: [" in run.stderr


@pytest.mark.slow  # lays out the book
def test_an_edition_font_prints_what_the_bundled_one_lacks(capsys, edition, output):
    """print.fonts: the edition's own font (here one made for the test) prints the Georgian
    letters Gentium lacks: no warning, the letters in the PDF's text, the font embedded."""
    from fontmaker import make_font
    from pdfread import BuiltPdf

    (edition / "fonts").mkdir()
    make_font(edition / "fonts" / "TestGeorgian.ttf", GEORGIAN)
    replace_in(edition / "claims" / "first.md", "[^a1]: A note", f"The word {GEORGIAN} is Georgian.\n\n[^a1]: A note")
    replace_in(
        edition / "edition.yaml",
        "title: A Small Test Edition",
        "print:\n  fonts: [fonts/TestGeorgian.ttf]\ntitle: A Small Test Edition",
    )
    run = run_build(capsys, edition, output, "--format", "pdf")
    assert run.status == 0, run.stderr
    assert "W216" not in run.stderr, run.stderr
    pdf = BuiltPdf(output / "small.pdf")
    assert GEORGIAN in pdf.all_text()
    fonts = pdf.fonts()
    assert any("folio-edition-font-1" in name for name in fonts) and all(fonts.values()), fonts


def test_a_font_that_is_not_one_is_refused_at_its_line(capsys, edition, output):
    (edition / "fonts").mkdir()
    (edition / "fonts" / "broken.ttf").write_bytes(b"not a font at all")
    replace_in(
        edition / "edition.yaml",
        "title: A Small Test Edition",
        "print:\n  fonts:\n    - fonts/broken.ttf\ntitle: A Small Test Edition",
    )
    run = assert_rejected(capsys, edition, output, "E105", "edition/edition.yaml:3")
    assert "'fonts/broken.ttf' is not a TrueType or OpenType font" in run.stderr


def test_a_claim_in_no_chapter_is_checked_all_the_same(capsys, edition, output):
    """Every problem at once: a claim left out of every chapter (E206) has its unknown
    assessment reported in the same run (E205), not only once the first is fixed."""
    replace_in(edition / "chapters" / "one.md", "claims: [first, second]", "claims: [first]")
    replace_in(edition / "claims" / "second.md", "assessment: supported", "assessment: suported")
    run = assert_rejected(capsys, edition, output, "E206", "edition/claims/second.md:2")
    assert re.search(r"second\.md:7: error E205: assessment 'suported' .*\n.*did you mean 'supported'", run.stderr)


def test_yaml_faults_are_told_once_and_isbn_check_digits_named(capsys, edition, output):
    replace_in(edition / "edition.yaml", "publisher: Test Press", "publisher: Test Press: Oxford")
    run = assert_rejected(capsys, edition, output, "E101", "edition/edition.yaml:7")
    message = next(line for line in run.stderr.splitlines() if " E101: " in line)
    assert "(YAML:" not in message or message.split("(YAML:")[0].strip(" :") not in message.split("(YAML:")[1]
    replace_in(edition / "edition.yaml", "publisher: Test Press: Oxford", "publisher: Test Press")
    replace_in(edition / "edition.yaml", "print: 978-0-306-40615-7", "print: 978-0-306-40615-8")
    run = assert_rejected(capsys, edition, output, "E105", "edition/edition.yaml:12")
    assert "its check digit (the last) is 8, and should be 7" in run.stderr


@pytest.mark.parametrize(
    "size, said",
    [((120, 90), "120 x 90 px: it is landscape"), ((800, 1000), "800 x 1000 px: its height is 1.25 times its width")],
)
def test_a_cover_a_store_would_refuse_is_a_warning_with_its_size(capsys, edition, output, size, said):
    from PIL import Image

    (edition / "images").mkdir(exist_ok=True)
    Image.new("RGB", size, "white").save(edition / "images" / "cover.jpg")
    replace_in(
        edition / "edition.yaml", "title: A Small Test Edition", "cover: images/cover.jpg\ntitle: A Small Test Edition"
    )
    run = run_build(capsys, edition, output, command="check")
    assert run.status == 0, run.stderr
    assert f"edition/edition.yaml:1: warning W110: cover image 'images/cover.jpg' is {said}" in run.stderr, run.stderr
    assert "smaller than the 1400 x 2100 px" in run.stderr
    Image.new("RGB", (1600, 2560), "white").save(edition / "images" / "cover.jpg")
    assert "W110" not in run_build(capsys, edition, output, command="check").stderr


def test_two_bibliographies_are_not_guessed_between_and_a_style_beside_is_named(capsys, edition, output):
    (edition.parent / "bibliography.json").write_text("[]", encoding="utf-8")
    run = assert_rejected(capsys, edition, output, "E100", "bibliography.bib")
    assert "several bibliographies" in run.stderr and "bibliography.json" in run.stderr
    assert "'bibliography: ../bibliography.json'" in run.stderr and "E204" not in run.stderr, run.stderr
    (edition.parent / "bibliography.json").unlink()
    (edition.parent / "house.csl").write_text("<style/>", encoding="utf-8")
    replace_in(edition / "edition.yaml", "citation_style: chicago-notes-bibliography", "citation_style: house.csl")
    run = assert_rejected(capsys, edition, output, "E100", "edition/edition.yaml:17")
    assert "looked for edition/house.csl" in run.stderr and "house.csl is beside the edition folder" in run.stderr


PRESS = """press:
  printer: kdp
  paper: cream
  price_code: '5199'
  publication_date: 2026-02-30
  doi: doi.org/10.5555/small
  chapter_doi: 10.5555/small.chapter
  thema: [NHD, 'not a code']
  bisac: [HIS032000, HIS32]
  depositor_email: press.example.org
"""


@pytest.mark.parametrize(
    "line, message",
    [
        (27, "press.price_code '5199' is not 5 digits"),
        (28, "press.publication_date '2026-02-30' is not a day of the calendar"),
        (29, "press.doi 'doi.org/10.5555/small' is not a DOI"),
        (30, "press.chapter_doi '10.5555/small.chapter' is not a DOI pattern with {id}"),
        (31, "press.thema 'not a code' is not a Thema code"),
        (32, "press.bisac 'HIS32' is not a BISAC code"),
        (33, "press.depositor_email 'press.example.org' is not an e-mail address"),
    ],
)
def test_press_settings_are_checked_where_they_are_written(capsys, edition, output, line, message):
    path = edition / "edition.yaml"
    path.write_text(path.read_text(encoding="utf-8") + PRESS, encoding="utf-8")
    run = assert_rejected(capsys, edition, output, "E105", f"edition/edition.yaml:{line}")
    assert f"edition/edition.yaml:{line}: error E105: {message}" in run.stderr, run.stderr


def test_the_epub_cannot_have_the_print_books_isbn(capsys, edition, output):
    replace_in(edition / "edition.yaml", "ebook: 978-3-16-148410-0", "ebook: 978-0-306-40615-7")
    run = assert_rejected(capsys, edition, output, "E105", "edition/edition.yaml:13")
    assert "isbn.ebook '978-0-306-40615-7' is the print book's ISBN" in run.stderr


def test_an_unknown_printer_is_named_with_the_ones_known(capsys, edition, output):
    path = edition / "edition.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "press:\n  printer: lulu\n", encoding="utf-8")
    run = assert_rejected(capsys, edition, output, "E105", "edition/edition.yaml:25")
    assert "it must be one of: kdp, ingramspark" in run.stderr, run.stderr


def test_a_quotation_in_another_language_is_marked_as_it_and_a_bad_tag_refused(capsys, edition, output):
    """``language: ru``: the quotation's text carries lang="ru" (in the EPUB as in print, where
    it is hyphenated as Russian); a tag that is not BCP 47 is refused at its line."""
    import zipfile

    quotations = edition / "quotations" / "quotations.yaml"
    replace_in(quotations, "  source: gamma2010\n", "  source: gamma2010\n  language: ru\n")
    run = run_build(capsys, edition, output, "--format", "epub")
    assert run.status == 0, run.stderr
    with zipfile.ZipFile(output / "small.epub") as epub:
        pages = [epub.read(name).decode() for name in epub.namelist() if name.endswith(".xhtml")]
    marked = [page for page in pages if "The text of the first primary source" in page]
    assert marked and re.search(r'<div class="quotation-text" lang="ru"[^>]*>', marked[0]), marked[0][:2000]
    replace_in(quotations, "  language: ru\n", "  language: Russian language\n")
    run = assert_rejected(capsys, edition, output, "E105", "edition/quotations/quotations.yaml:8")
    assert "is not a BCP 47 tag" in run.stderr
