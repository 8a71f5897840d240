"""Preflight: read a built PDF back and report what a printer's preflight
or a careful proofreader would reject, each with its page.

Checked: every font embedded; page size and boxes (MediaBox, TrimBox,
BleedBox) against the trim size and bleed; chapters and other parts opening
on a recto; every note on the page of its call; every printed page number
(contents, table of claims, cross-references, index) equal to the page of
its link's target; no text outside the page. For a PDF/X variant, also
the output intent (a CMYK printer profile), the PDF/X identification, no
colour outside the output intent (RGB on a page meant for CMYK inks) and
no annotation inside the trimmed page.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from pikepdf import Array, Name, NameTree

from folio import ids
from folio.edition.model import Edition
from folio.edition.names import folio_label
from folio.edition.output_intent import header_fault, is_print_standard
from folio.edition.schema import points
from folio.layout.notes import behind_a_long_note
from folio.problems import Problems
from folio.rebuild.cache import digest_of

# a page number ending a link's text: ", p. 12", "(p. 12)", ". . . 12" (contents), or the whole text ("12", "12–14")
_PAGE_NUMBER = re.compile(r"(?:p\.\s?|\.\s)([0-9]+|[ivxlc]+)\)?\.?$|^([0-9]+|[ivxlc]+)(?:–[0-9ivxlc]+)?$")


def preflight(
    pdf_path: Path,
    edition: Edition,
    problems: Problems,
    shown_as: Path | None = None,
    links_removed_after: bool = False,
    store=None,
    openings=(),
) -> int:
    """Check ``pdf_path``; add problems (named ``shown_as``, e.g. the final name
    of a staged file); return the number of pages read. ``links_removed_after``:
    the build takes the links out of this file once it has been checked (PDF/X).
    With a ``store``, what a page's text says is taken from the cache for a page
    whose content (text, fonts, links) was read before."""
    with pikepdf.open(pdf_path) as reader:
        return _preflight(reader, pdf_path, edition, problems, shown_as, links_removed_after, store, set(openings))


def _preflight(
    reader: pikepdf.Pdf,
    pdf_path: Path,
    edition: Edition,
    problems: Problems,
    shown_as: Path | None,
    links_removed_after: bool,
    store=None,
    openings: set = frozenset(),
) -> int:
    pages = reader.pages
    destinations = _destination_pages(reader)
    main_start = destinations.get(ids.MAINMATTER, 1)

    def report(code: str, page: int | None, message: str, hint: str = "") -> None:
        where = f"p. {folio_label(page, main_start)} (PDF page {page}): " if page else ""
        problems.add(code, shown_as or pdf_path, None, where + message, hint)

    _check_boxes(pages, edition, report)
    _check_fonts(pages, report, reader)
    if is_print_standard(edition.settings.print.pdf_variant):
        _check_print_standard(reader, edition.settings.print.pdf_variant, report, links_removed_after)
    for name, page in sorted(destinations.items(), key=lambda item: item[1]):
        if name in openings and page % 2 == 0:
            report(
                "E603",
                page,
                f"'{name}' opens on a verso (an even page)",
                "parts open on a recto: check 'break-before: right' in the print CSS",
            )
        key = ids.call_key(name)
        if key is not None:
            note = destinations.get(ids.note_anchor(key))
            if note is None:
                report("E604", page, f"note {key} is called here but not printed")
            elif note != page and behind_a_long_note(key, page, note, destinations.get):
                report(
                    "W508",
                    page,
                    f"note {key} is called here but printed on p. {folio_label(note, main_start)} (PDF page {note}), after the rest "
                    "of the note before it, longer than its page",
                    "the notes keep their order: call the second note elsewhere to keep it on this page",
                )
            elif note != page:
                report(
                    "E604",
                    page,
                    f"note {key} is called here but printed on p. {folio_label(note, main_start)} (PDF page {note})",
                    "the build corrects this; a PDF that still has it was laid out by other means",
                )
    _check_page_numbers(pdf_path, pages, destinations, main_start, report, store)
    return len(pages)


def _destination_pages(reader: pikepdf.Pdf) -> dict[str, int]:
    """Named destination -> its page (1-based), from the name tree and the older /Dests dictionary;
    a destination without a page is left out (the checks that need it report it)."""
    numbers = {page.objgen: index for index, page in enumerate(reader.pages, start=1)}
    found: dict[str, int] = {}
    names = reader.Root.get("/Names", {}).get("/Dests")
    entries = list(NameTree(names).items()) if names is not None else []
    entries += [(str(key)[1:], value) for key, value in reader.Root.get("/Dests", {}).items()]
    for name, target in entries:
        if isinstance(target, pikepdf.Dictionary):
            target = target.get("/D")
        if isinstance(target, Array) and len(target) and target[0].objgen in numbers:
            found.setdefault(name, numbers[target[0].objgen])
    return found


def _box(page, name: str) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of a page box, as PDF readers default it."""
    x0, y0, x1, y1 = (float(v) for v in getattr(page, name))
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _check_boxes(pages, edition: Edition, report) -> None:
    p = edition.settings.print
    width, height = points(p.page_width), points(p.page_height)
    bleed = points(p.bleed)
    for number, page in enumerate(pages, start=1):
        x0, y0, x1, y1 = _box(page, "mediabox")
        if abs(x1 - x0 - (width + 2 * bleed)) > 0.5 or abs(y1 - y0 - (height + 2 * bleed)) > 0.5:
            report(
                "E602",
                number,
                f"page is {x1 - x0:.1f} x {y1 - y0:.1f} pt; the trim size "
                f"{p.trim} with bleed {p.bleed} needs {width + 2 * bleed:.1f} x {height + 2 * bleed:.1f} pt",
            )
            continue
        x0, y0, x1, y1 = _box(page, "trimbox")
        if abs(x1 - x0 - width) > 0.5 or abs(y1 - y0 - height) > 0.5:
            report(
                "E602",
                number,
                f"TrimBox is {x1 - x0:.1f} x {y1 - y0:.1f} pt, not the trim size {width:.1f} x {height:.1f} pt",
            )
        x0, _, x1, _ = _box(page, "bleedbox")
        if bleed and abs(x1 - x0 - (width + 2 * bleed)) > 0.5:
            report("E602", number, "BleedBox does not include the bleed")


# colour operators that paint in DeviceRGB: "r g b rg" (fill) and "r g b RG" (stroke)
_RGB_OPERATOR = re.compile(rb"(?<![\w.])(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(rg|RG)(?![\w])")
_ALLOWED_ANNOTATIONS = ("/TrapNet", "/PrinterMark")


def _check_print_standard(reader: pikepdf.Pdf, variant: str, report, links_removed_after: bool) -> None:
    """PDF/X: the output intent, the identification, colours and annotations."""
    catalog = reader.Root
    intents = list(catalog.get("/OutputIntents") or [])
    pdfx = [i for i in intents if i.get("/S") == Name.GTS_PDFX]
    if len(pdfx) != 1:
        report(
            "E608",
            None,
            f"{variant} needs exactly one output intent of type GTS_PDFX; found {len(pdfx)}",
            "the build sets it from print.output_profile",
        )
    else:
        profile = pdfx[0].get("/DestOutputProfile")
        if profile is None or header_fault(profile.read_bytes()):
            report(
                "E608",
                None,
                "the output intent carries no CMYK printer profile",
                "name the printer's CMYK ICC profile in print.output_profile",
            )
        if not str(pdfx[0].get("/OutputConditionIdentifier") or ""):
            report("E608", None, "the output intent has no OutputConditionIdentifier")
    metadata = catalog.get("/Metadata")
    xmp = metadata.read_bytes() if metadata is not None else b""
    wanted = {"pdf/x-1a": b"PDF/X-1a", "pdf/x-3": b"PDF/X-3", "pdf/x-4": b"PDF/X-4", "pdf/x-5g": b"PDF/X-5"}[variant]
    if b"GTS_PDFXVersion" not in xmp or wanted not in xmp:
        report("E608", None, f"the XMP metadata does not identify the file as {wanted.decode()}")
    if str(reader.docinfo.get("/Trapped", "")) not in ("/True", "/False"):
        report("E608", None, "the document information has no Trapped key (True or False)")

    rgb_pages: list[int] = []
    for number, page in enumerate(reader.pages, start=1):
        if _paints_rgb(page):
            rgb_pages.append(number)
        left, bottom, right, top = _box(page, "trimbox")
        for annotation in page.obj.get("/Annots") or []:
            subtype = str(annotation.get("/Subtype", ""))
            if subtype in _ALLOWED_ANNOTATIONS or (links_removed_after and subtype == "/Link"):
                continue
            x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
            if min(x1, x0) < right and max(x0, x1) > left and min(y0, y1) < top and max(y0, y1) > bottom:
                report(
                    "E608",
                    number,
                    f"a {subtype[1:]} annotation lies inside the trimmed page",
                    "PDF/X allows only printer's marks and trap networks there",
                )
                break
    if rgb_pages:
        shown = ", ".join(str(n) for n in rgb_pages[:12]) + (", ..." if len(rgb_pages) > 12 else "")
        report(
            "E607",
            rgb_pages[0],
            f"RGB colour on {len(rgb_pages)} page(s) of a {variant} file: {shown}",
            "set colours in the print CSS as device-cmyk(c m y k), e.g. device-cmyk(0 0 0 0.8) for a grey, "
            "and images in CMYK or greyscale",
        )


def _paints_rgb(page) -> bool:
    """Whether a page (its content, forms and images) paints in an RGB colour space."""

    def rgb_space(space) -> bool:
        if space is None:
            return False
        if isinstance(space, Name):
            return space in (Name.DeviceRGB, Name.CalRGB)
        if isinstance(space, Array) and len(space):
            if space[0] == Name.ICCBased:
                return int(space[1].get("/N", 0)) == 3
            if space[0] == Name.CalRGB:
                return True
            if space[0] == Name.Indexed:
                return rgb_space(space[1])
        return False

    seen: set = set()

    def visit(resources, content: bytes) -> bool:
        if _RGB_OPERATOR.search(content):
            return True
        resources = resources if resources is not None else {}
        if any(rgb_space(s) for s in (resources.get("/ColorSpace") or {}).values()):
            return True
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == Name.Image:
                if xobject.get("/ImageMask") or xobject.get("/ColorSpace") is None:
                    continue
                if rgb_space(xobject.get("/ColorSpace")):
                    return True
            elif xobject.get("/Subtype") == Name.Form:
                group = xobject.get("/Group")
                if group is not None and rgb_space(group.get("/CS")):
                    return True
                if visit(xobject.get("/Resources"), xobject.read_bytes()):
                    return True
        return False

    group = page.obj.get("/Group")
    if group is not None and rgb_space(group.get("/CS")):
        return True
    return visit(page.obj.get("/Resources"), _contents(page))


def _contents(page) -> bytes:
    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    streams = contents if isinstance(contents, Array) else [contents]
    return b"\n".join(stream.read_bytes() for stream in streams)


def embedded_fonts(page) -> dict[str, bool]:
    """Base font name -> embedded?, for the fonts a page uses."""
    found: dict[str, bool] = {}
    fonts = (page.obj.get("/Resources") or {}).get("/Font") or {}
    for font in fonts.values():
        descriptor = font.get("/FontDescriptor")
        if descriptor is None and "/DescendantFonts" in font:
            descriptor = font.DescendantFonts[0].get("/FontDescriptor")
        descriptor = descriptor if descriptor is not None else {}
        found[str(font.get("/BaseFont"))] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def _check_fonts(pages, report, reader=None) -> None:
    seen: set[str] = set()
    for number, page in enumerate(pages, start=1):
        for name, embedded in embedded_fonts(page).items():
            if not embedded and name not in seen:
                seen.add(name)
                report(
                    "E601",
                    number,
                    f"font {name} is not embedded",
                    "printers reject PDFs with fonts not embedded; use the bundled font",
                )
    if reader is None:
        return
    from folio.layout.assemble import font_program, fonts_of

    programs: dict[str, set] = {}
    for font in fonts_of(reader):
        _named, _descriptor, program = font_program(font)
        if program is not None:
            programs.setdefault(str(font.get("/BaseFont")), set()).add(
                hashlib.sha256(program.read_raw_bytes()).digest()
            )
    for name, found in sorted(programs.items()):
        if len(found) > 1:
            report(
                "E609",
                None,
                f"the subset name {name} stands for {len(found)} different font programs",
                "distinct subsets need distinct tags (the part before '+'); printers' preflights flag it",
            )


def _check_page_numbers(pdf_path: Path, pages, destinations, main_start: int, report, store=None) -> None:
    """Printed page numbers against their links' targets; text outside the trimmed page."""
    for number, facts in enumerate(_text_facts(pdf_path, pages, store), start=1):
        if facts["outside"] is not None:
            report(
                "E606",
                number,
                f"text '{facts['outside']}' runs outside the trimmed page",
                "a line too long for the measure, or a box pushed off the page",
            )
        # a link broken over lines or around an inline box has several rectangles: join them
        texts: dict[str, list[str]] = {}
        for target, text in facts["links"]:
            if target in destinations:
                texts.setdefault(target, []).append(text)
        for target, parts in texts.items():
            inside = re.sub(r"\s+", " ", " ".join(parts)).strip()
            match = _PAGE_NUMBER.search(inside)
            if not match:
                continue
            printed = match.group(1) or match.group(2)
            expected = folio_label(destinations[target], main_start)
            if printed != expected:
                report(
                    "E605",
                    number,
                    f"'{inside[-60:]}' prints page {printed}, but '{target}' is on page {expected}",
                    "a page number was typed by hand or the layout changed after it was computed",
                )


def _text_facts(pdf_path: Path, pages, store=None) -> list[dict]:
    """For each page, what its text says (read with PDFium): the first run of text outside
    the trimmed page, if any, and the text under each link to a named destination. A page
    is known by a digest of its content, so a page read in an earlier build is not read again."""
    memo: dict = {}
    keys = [digest_of("preflight-page", _object_digest(page.obj, memo)) for page in pages] if store else []
    facts = [store.get("preflight", key) for key in keys] if store else [None] * len(pages)
    todo = [n for n, found in enumerate(facts) if found is None]
    if not todo:
        return facts
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        for n in todo:
            facts[n] = _read_text(document[n], pages[n])
            if store:
                store.put("preflight", keys[n], facts[n])
    finally:
        document.close()
    return facts


def _read_text(pdfium_page, page) -> dict:
    textpage = pdfium_page.get_textpage()
    left, bottom, right, top = _box(page, "trimbox")
    outside = None
    # runs of text (one rectangle for each stretch of a line), not each character
    for index in range(textpage.count_rects()):
        x0, y0, x1, y1 = textpage.get_rect(index)
        if x1 > x0 and (x0 < left - 0.5 or x1 > right + 0.5 or y0 < bottom - 0.5 or y1 > top + 0.5):
            outside = textpage.get_text_bounded(x0, y0, x1, y1).strip()[:20]
            break
    links = []
    for annotation in page.obj.get("/Annots") or []:
        target = annotation.get("/Dest")
        if annotation.get("/Subtype") != Name.Link or not isinstance(target, pikepdf.String):
            continue
        x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
        links.append((str(target), textpage.get_text_bounded(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))))
    return {"outside": outside, "links": links}


def _object_digest(obj, memo: dict) -> bytes:
    """A digest of a PDF object by content, following references (not back to a page's
    parent or an annotation's page): equal for the same page in two assemblies of a book."""
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) and obj.is_indirect:
        found = memo.get(obj.objgen)
        if found is None:
            memo[obj.objgen] = b"(cycle)"
            found = memo[obj.objgen] = _direct_digest(obj, memo)
        return found
    return _direct_digest(obj, memo)


def _direct_digest(obj, memo: dict) -> bytes:
    digest = hashlib.sha256()
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        digest.update(b"S" if isinstance(obj, pikepdf.Stream) else b"D")
        for key in sorted(obj.keys()):
            if key not in ("/Parent", "/P", "/Length"):
                digest.update(key.encode() + _object_digest(obj[key], memo))
        if isinstance(obj, pikepdf.Stream):
            digest.update(obj.read_raw_bytes())
    elif isinstance(obj, pikepdf.Array):
        digest.update(b"A")
        for item in obj:
            digest.update(_object_digest(item, memo))
    else:
        digest.update(repr(obj).encode())
    return digest.digest()
