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
import uuid
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, ByteStringObject, DictionaryObject, FloatObject, NameObject,
                           NullObject, NumberObject, TextStringObject)

from .output_intent import XMP_DOCUMENT_ID
from .typeset import Typeset

_CATALOG_KEYS = ("/Lang", "/Metadata", "/OutputIntents", "/MarkInfo", "/ViewerPreferences", "/PageMode")


def write_book(book: Typeset, target: Path) -> None:
    if len(book.parts) == 1:  # laid out whole: WeasyPrint's file as it is
        target.write_bytes(book.parts[0].pdf)
        return
    target.write_bytes(assemble(book))


def assemble(book: Typeset) -> bytes:
    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(part.pdf)) for part in book.parts]
    first_pages: list[int] = []
    for reader in readers:
        first_pages.append(len(writer.pages))
        for page in reader.pages:
            writer.add_page(page)
    pages = writer.pages

    # named destinations: each anchor where its own part put it
    names: dict[str, ArrayObject] = {}
    for part, reader, first in zip(book.parts, readers, first_pages):
        borrowed = set(part.borrowed)
        for name, destination in reader.named_destinations.items():
            if name in borrowed or name in names:
                continue
            page = reader.get_destination_page_number(destination)
            names[name] = ArrayObject([pages[first + page].indirect_reference, NameObject("/XYZ"),
                                       _number(destination.left), _number(destination.top), NumberObject(0)])
    flat = ArrayObject()
    for name in sorted(names):
        flat += [TextStringObject(name), names[name]]
    tree = DictionaryObject({NameObject("/Names"): flat})
    writer.root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/Dests"): writer._add_object(tree)})

    # bookmarks, part after part
    for reader, first in zip(readers, first_pages):
        _copy_outline(writer, reader, reader.outline, first, None)

    # folios: roman in the front matter, arabic from folio 1
    main = book.main_start - 1
    if main > 0:
        writer.set_page_label(0, main - 1, style="/r", start=1)
    writer.set_page_label(main, len(pages) - 1, style="/D", start=1)

    front = readers[0]
    catalog = front.trailer["/Root"]
    for key in _CATALOG_KEYS:
        if key in catalog:
            writer.root_object[NameObject(key)] = catalog[key].clone(writer)
    if front.metadata:
        writer.add_metadata({key: value for key, value in front.metadata.items()})
    digest = hashlib.md5(b"".join(hashlib.sha256(part.pdf).digest() for part in book.parts)).digest()
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    metadata = writer.root_object.get("/Metadata")
    if metadata is not None and XMP_DOCUMENT_ID.search(metadata.get_object().get_data()):
        # PDF/X-4 XMP names the document: the book, not its first part
        metadata = metadata.get_object()
        metadata.set_data(XMP_DOCUMENT_ID.sub(b"xmp.did:" + str(uuid.UUID(bytes=digest)).encode(),
                                               metadata.get_data()))
    writer.compress_identical_objects()  # e.g. the output profile, which every part carries
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def printers_copy(pdf: bytes, profile: bytes) -> bytes:
    """The PDF/X book as it goes to the printer: ``pdf`` without its link annotations, and
    with the output profile carried byte for byte (WeasyPrint embeds it re-encoded by
    LittleCMS); everything else, the file ID included, as it was."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        annotations = page.get("/Annots")
        if annotations is None:
            continue
        kept = ArrayObject(a for a in annotations.get_object() if a.get_object().get("/Subtype") != "/Link")
        if kept:
            page[NameObject("/Annots")] = kept
        else:
            del page["/Annots"]
    writer.compress_identical_objects()  # a clone copies shared objects once per use
    for intent in writer.root_object.get("/OutputIntents") or []:
        stream = intent.get_object().get("/DestOutputProfile")
        if stream is not None:
            stream.get_object().set_data(profile)
    writer._ID = reader.trailer["/ID"].clone(writer)
    writer.pdf_header = reader.pdf_header
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _number(value):
    return NullObject() if value is None else FloatObject(round(float(value), 4))


def _copy_outline(writer: PdfWriter, reader: PdfReader, items: list, first: int, parent) -> None:
    from pypdf.generic import Fit
    previous = None
    for item in items:
        if isinstance(item, list):  # the children of the item before
            if previous is not None:
                _copy_outline(writer, reader, item, first, previous)
            continue
        page = reader.get_destination_page_number(item)
        fit = Fit.xyz(left=item.left, top=item.top, zoom=None)
        previous = writer.add_outline_item(title=item.title, page_number=first + page, parent=parent, fit=fit)
