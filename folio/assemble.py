"""Stage 5b: assemble the book's PDF from its parts' PDFs.

A plain merge loses what joins the parts; this puts it back:
- links from one part to another (each part gave them a stand-in destination);
- one tree of named destinations, one outline (bookmarks) for the whole book;
- page labels, so a viewer shows the printed folios (roman, then arabic);
- the document's metadata and catalogue entries (language, XMP, output intent);
- a file identifier made from the content, so equal books are equal files.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, ByteStringObject, DictionaryObject, FloatObject, NameObject,
                           NullObject, NumberObject, TextStringObject)

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
