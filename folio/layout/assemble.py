"""Stage 5b: assemble the book's PDF from its parts' PDFs.

A plain merge loses what joins the parts; this puts it back:
- links from one part to another (each part gave them a stand-in destination);
- one tree of named destinations, one outline (bookmarks) for the whole book;
- page labels, so a viewer shows the printed folios (roman, then arabic);
- the document's metadata and catalogue entries (language, XMP, output intent);
- a file identifier made from the content, so equal books are equal files.

A PDF/X book, the printer's copy, then loses its links (PDF/X allows no
annotations inside the trimmed page) and carries its output profile as the
printer gave it (``printers_copy``).
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import warnings
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, OutlineItem, PageLocation, String

from folio.clock import build_moment
from folio.edition.output_intent import XMP_DOCUMENT_ID
from folio.layout.typeset import Typeset


def write_book(book: Typeset, target: Path) -> None:
    if len(book.parts) == 1:  # laid out whole: WeasyPrint's file, dated
        pdf = pikepdf.open(io.BytesIO(book.parts[0].pdf))
        _date(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        target.write_bytes(out.getvalue())
        return
    target.write_bytes(assemble(book))


def _date(pdf: pikepdf.Pdf) -> None:
    """The book's creation and modification dates: the build's (SOURCE_DATE_EPOCH when set), in
    the document information and the XMP metadata alike; and its PDF/X version, if it has one."""
    moment = build_moment()
    pdf.docinfo["/CreationDate"] = pdf.docinfo["/ModDate"] = String(moment.strftime("D:%Y%m%d%H%M%SZ"))
    metadata = pdf.Root.get("/Metadata")
    if metadata is not None:
        xmp = metadata.read_bytes()
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S+00:00").encode()
        dated = re.sub(
            rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)[^<]*(</xmp:)", rb"\g<1>" + stamp + rb"\g<2>", xmp
        )
        if dated != xmp:
            metadata.write(dated)
        # a PDF/X book names its standard in the document information too, as in its XMP
        version = re.search(rb"<pdfxid:GTS_PDFXVersion>([^<]+)</pdfxid:GTS_PDFXVersion>", xmp)
        if version:
            pdf.docinfo["/GTS_PDFXVersion"] = String(version.group(1).decode("ascii", "replace"))


def assemble(book: Typeset) -> bytes:
    """The parts' pages in one file (qpdf, through pikepdf), with what joins them. The front
    matter's file is the base: its catalogue (language, XMP, output intent) and document
    information are the book's."""
    sources = [pikepdf.open(io.BytesIO(part.pdf)) for part in book.parts]
    base = sources[0]
    # each part's page objects -> their index in the part; each part's first page in the book
    numbers = [{page.objgen: index for index, page in enumerate(source.pages)} for source in sources]
    firsts = [0]
    with warnings.catch_warnings():  # that the named destinations are not carried: they are, below
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        for source in sources[1:]:
            firsts.append(len(base.pages))
            base.pages.extend(source.pages)
    pages = base.pages

    def destination(part: int, target) -> tuple[int, object, object] | None:
        """(book page, left, top) of an explicit destination [page /XYZ left top zoom] of a part."""
        if not isinstance(target, Array) or len(target) < 4:
            return None
        index = numbers[part].get(target[0].objgen)
        return None if index is None else (firsts[part] + index, target[2], target[3])

    # named destinations: each anchor where its own part put it (not a part's stand-in)
    names: dict[str, tuple] = {}
    for number, (part, source) in enumerate(zip(book.parts, sources)):
        tree = source.Root.get("/Names", {}).get("/Dests")
        if tree is None:
            continue
        borrowed = set(part.borrowed)
        for name, target in NameTree(tree).items():
            if name not in borrowed and name not in names:
                found = destination(number, target)
                if found is not None:
                    names[name] = found
    dests = NameTree.new(base)
    for name in sorted(names):
        page, left, top = names[name]
        dests[name] = Array([pages[page].obj, Name.XYZ, _number(left), _number(top), 0])
    base.Root.Names = Dictionary(Dests=dests.obj)

    # bookmarks, part after part
    items: list[OutlineItem] = []
    for number, source in enumerate(sources):
        with source.open_outline() as outline:
            items += [_outline_item(item, number, destination) for item in outline.root]
    with base.open_outline() as outline:
        outline.root[:] = [item for item in items if item is not None]

    # folios: roman in the front matter, arabic from folio 1
    main = book.main_start - 1
    labels = [main, Dictionary(S=Name.D, St=1)]
    if main > 0:
        labels = [0, Dictionary(S=Name.r, St=1)] + labels
    base.Root.PageLabels = Dictionary(Nums=Array(labels))

    # the file names the book, not its first part: its ID (the first of the pair; qpdf makes the
    # second from the content) and a PDF/X-4 XMP document ID, from the parts' digests
    digest = hashlib.md5(b"".join(hashlib.sha256(part.pdf).digest() for part in book.parts)).digest()
    base.trailer.ID = Array([String(digest), String(digest)])
    metadata = base.Root.get("/Metadata")
    if metadata is not None and XMP_DOCUMENT_ID.search(metadata.read_bytes()):
        metadata.write(XMP_DOCUMENT_ID.sub(b"xmp.did:" + str(uuid.UUID(bytes=digest)).encode(), metadata.read_bytes()))
    _share_colour_profiles(base)
    distinct_subset_tags(base)
    _date(base)
    out = io.BytesIO()
    base.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def fonts_of(pdf: pikepdf.Pdf):
    """Every font dictionary the pages (and the forms they draw) use, once each."""
    seen: set = set()

    def visit(resources):
        if resources is None:
            return
        for font in (resources.get("/Font") or {}).values():
            if font.objgen not in seen or font.objgen == (0, 0):
                seen.add(font.objgen)
                yield font
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == Name.Form and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                yield from visit(xobject.get("/Resources"))

    for page in pdf.pages:
        yield from visit(page.obj.get("/Resources"))


def font_program(font):
    """(the dictionaries that carry the font's name, its embedded program) of a font."""
    named = [font]
    descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else None
    if descendant is not None:
        named.append(descendant)
    descriptor = (descendant if descendant is not None else font).get("/FontDescriptor")
    program = None
    if descriptor is not None:
        program = next((descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor), None)
    return named, descriptor, program


def distinct_subset_tags(pdf: pikepdf.Pdf) -> None:
    """Each part embeds its own subset of a face under the same name ("INNEDB+Gentium-Book-Plus"):
    the PDF standard wants distinct subsets to have distinct tags. Identical programs are kept
    once; each distinct one is named by a tag made from its content."""
    programs: dict[bytes, object] = {}
    for font in fonts_of(pdf):
        named, descriptor, program = font_program(font)
        base = str(font.get("/BaseFont", ""))
        if program is None or "+" not in base:
            continue
        digest = hashlib.sha256(program.read_raw_bytes()).digest()
        kept = programs.setdefault(digest, program)
        if kept.objgen != program.objgen:
            for key in ("/FontFile2", "/FontFile3", "/FontFile"):
                if key in descriptor:
                    descriptor[key] = kept
        tag = "".join(chr(ord("A") + b % 26) for b in digest[:6])
        name = Name("/" + tag + "+" + base.split("+", 1)[1])
        for holder in named:
            holder.BaseFont = name
        descriptor.FontName = name


def _outline_item(item, part: int, destination) -> OutlineItem | None:
    found = destination(part, item.destination)
    if found is None:
        return None
    page, left, top = found
    copy = OutlineItem(item.title, page, PageLocation.XYZ, left=_number(left), top=_number(top))
    copy.children[:] = [c for c in (_outline_item(child, part, destination) for child in item.children) if c]
    return copy


def _share_colour_profiles(pdf: pikepdf.Pdf) -> None:
    """One copy of each ICC profile: every part carries the output profile (PDF/X)."""
    kept: dict[bytes, object] = {}  # digest -> the copy kept
    digests: dict[tuple, bytes] = {}  # object -> digest, each profile read once

    def shared(stream):
        if stream.objgen not in digests:
            digests[stream.objgen] = hashlib.sha256(stream.read_raw_bytes()).digest()
        return kept.setdefault(digests[stream.objgen], stream)

    for page in pdf.pages:
        spaces = page.obj.get("/Resources", {}).get("/ColorSpace", {})
        for key, space in spaces.items():
            if isinstance(space, Array) and len(space) == 2 and space[0] == Name.ICCBased:
                spaces[key] = Array([Name.ICCBased, shared(space[1])])
    for intent in pdf.Root.get("/OutputIntents") or []:
        if intent.get("/DestOutputProfile") is not None:
            intent.DestOutputProfile = shared(intent.DestOutputProfile)


def printers_copy(pdf: bytes, profile: bytes) -> bytes:
    """The PDF/X book as it goes to the printer: ``pdf`` without its link annotations, and
    with the output profile carried byte for byte (WeasyPrint embeds it re-encoded by
    LittleCMS); everything else, the file ID's first half included, as it was."""
    book = pikepdf.open(io.BytesIO(pdf))
    for page in book.pages:
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        kept = [a for a in annotations if a.get("/Subtype") != Name.Link]
        if kept:
            page.obj.Annots = Array(kept)
        else:
            del page.obj["/Annots"]
    for intent in book.Root.get("/OutputIntents") or []:
        stream = intent.get("/DestOutputProfile")
        if stream is not None:
            stream.write(profile)
    out = io.BytesIO()
    book.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _number(value):
    return None if value is None else round(float(value), 4)
