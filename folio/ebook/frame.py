"""The EPUB's frame: Pandoc writes the book's outline (the units' headings) with the book's
metadata: package document, navigation, cover, title page, style sheet. ``merge`` puts the
units' chapter files in the places of the frame's, numbered in reading order, with the links
between units resolved as Pandoc resolves them in a whole book."""

from __future__ import annotations

import json
import re
import tempfile
import textwrap
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from folio.ebook.units import TOC_DEPTH, UnitFiles, chapter_names
from folio.edition import files
from folio.edition.model import Edition
from folio.rebuild.cache import digest_of, file_digest
from folio.typefaces import embedded_faces, face_rules
from folio.units.pandoc import PandocError, run_pandoc


def epub_metadata(edition: Edition, plain: dict | None = None) -> dict:
    """The package's metadata, as plain values (``plain``: a Markdown field's ref -> its text)."""
    s = edition.settings
    plain = plain or {}
    title = [{"type": "main", "text": plain.get(s.title.ref, str(s.title))}]
    if s.subtitle:
        title.append({"type": "subtitle", "text": plain.get(s.subtitle.ref, str(s.subtitle))})
    creators = [{"role": "aut", "text": n} for n in s.authors] + [{"role": "edt", "text": n} for n in s.editors]
    meta = {
        "title": title,
        "lang": s.language,
        "creator": creators,
        "publisher": s.publisher,
        "rights": s.rights,
        "description": s.description,
        "subject": list(s.subjects),
    }
    if s.isbn_ebook:
        meta["identifier"] = [{"scheme": "ISBN-13", "text": "urn:isbn:" + s.isbn_ebook.replace("-", "")}]
    else:  # Pandoc would make up a random one: the same book must keep its identifier from build to build
        meta["identifier"] = [{"text": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'folio:{s.slug}')}"}]
    if s.year:
        meta["date"] = f"{s.year}"
    return {k: v for k, v in meta.items() if v}


def meta_value(value):
    """A Python value as Pandoc metadata that Pandoc takes as it is (a MetaString is not read as
    Markdown: a title cannot bring in an image, and '--' stays two hyphens)."""
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {k: meta_value(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"t": "MetaList", "c": [meta_value(v) for v in value]}
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    return {"t": "MetaString", "c": str(value)}


def cover_svg(edition: Edition, env) -> str:
    s = edition.settings
    plain = getattr(env, "plain_of", {})
    title, subtitle = plain.get(s.title.ref, str(s.title)), plain.get(s.subtitle.ref, str(s.subtitle))
    from folio.ebook.cover import outlined

    svg = env.render(
        "cover.svg.j2", settings=s, title_lines=textwrap.wrap(title, 22), subtitle_lines=textwrap.wrap(subtitle, 46)
    )
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + outlined(svg.split("?>", 1)[-1].strip())


@dataclass(frozen=True)
class Frame:
    """Pandoc's EPUB of the book's outline: its package document, navigation, cover, title
    page and style sheet are the book's; its chapter files only hold places."""

    infos: tuple  # zipfile.ZipInfo, in Pandoc's order
    data: dict  # name -> bytes
    warnings: tuple[str, ...] = ()


def frame(edition: Edition, units: list[UnitFiles], template_dirs: list[Path], env, store=None) -> Frame:
    """The book's frame, from the cache while the outline, metadata, style sheet and cover stay.
    Pandoc reads only the style sheet and the cover (both checked); the book's outline and
    metadata come to it as JSON."""
    css = next((d / "epub.css" for d in template_dirs if (d / "epub.css").exists()), None)
    faces = embedded_faces(edition.settings.print.typeface)
    metadata = json.dumps(meta_value(epub_metadata(edition, getattr(env, "plain_of", {}))), ensure_ascii=False)
    cover = (
        files.resolve(edition.root, edition.settings.cover, [edition.root.resolve()], "cover image")
        if edition.settings.cover
        else None
    )
    cover_text = cover_svg(edition, env) if cover is None else None
    api = next((unit.api for unit in units if unit.api), (1, 23, 1))
    blocks = ",".join(block for unit in units for block in unit.outline)
    meta = json.loads(metadata)["c"]
    book = json.dumps(
        {"pandoc-api-version": list(api), "meta": meta, "blocks": json.loads(f"[{blocks}]")}, ensure_ascii=False
    )
    key = digest_of(
        "epub-frame",
        book,
        file_digest(css) if css else None,
        file_digest(cover) if cover else cover_text,
        [(style, file_digest(font)) for style, font in faces],
    )
    found = store.get("epub", key) if store is not None else None
    if found is not None:
        return found
    with tempfile.TemporaryDirectory(prefix="folio-epub-") as tmp:
        if cover is None:
            cover = Path(tmp) / "cover.svg"
            cover.write_text(cover_text, encoding="utf-8")
        raw = Path(tmp) / "book.epub"
        args = [
            "--from",
            "json",
            "--to",
            "epub3",
            "--output",
            str(raw),
            "--toc",
            f"--toc-depth={TOC_DEPTH}",
            "--split-level=1",
            "--resource-path",
            tmp,
            "--epub-cover-image",
            str(cover),
        ]
        if faces:  # the edition's typeface, its licence allowing: embedded, and the body set in it
            face = edition.settings.print.typeface
            rules = [css.read_text(encoding="utf-8")] if css is not None else []
            rules += face_rules(face, lambda _style, font: f'url("../fonts/{font.name}")')
            args += [arg for _style, font in faces for arg in ("--epub-embed-font", str(font))]
            rules.append(f'body {{ font-family: "{face.family}", serif; }}')
            css = Path(tmp) / "epub.css"
            css.write_text("\n".join(rules) + "\n", encoding="utf-8")
        if css is not None:
            args += ["--css", str(css)]
        # not in the sandbox: it stops --epub-cover-image and --css; the input holds no image or link
        _, warnings = run_pandoc(args, book, "Pandoc EPUB", cwd=Path(tmp), sandbox=False)
        with zipfile.ZipFile(raw) as zin:
            found = Frame(tuple(zin.infolist()), {n: zin.read(n) for n in zin.namelist()}, tuple(warnings))
    if store is not None:
        store.put("epub", key, found)
    return found


@dataclass
class Book:
    """The EPUB's files, merged: ``chapters`` (full name -> XHTML, in reading order) and the
    rest as bytes; ``where`` gives the chapter file (short name) of every id."""

    infos: list
    files: dict
    chapters: dict
    where: dict
    properties: dict  # chapter (short name) -> its manifest properties, where it has some
    images: bool = False  # the units show images of their own (not only the cover)


def merge(frame: Frame, units: list[UnitFiles]) -> Book:
    """The units' chapter files in place of the frame's, renumbered in reading order, links
    between units resolved (as Pandoc resolves them in a whole book), the units' media added."""
    infos, files = list(frame.infos), dict(frame.data)
    slots = chapter_names(files)
    if len(slots) != sum(len(unit.chapters) for unit in units):
        raise PandocError(
            "Pandoc EPUB",
            f"the book's outline makes {len(slots)} chapter files and its units "
            f"{sum(len(unit.chapters) for unit in units)}",
        )
    texts, where, properties, media = {}, {}, {}, []
    for position, unit in enumerate(units):
        base = len(texts)
        renamed = {old: f"u{position + 1}-{old}" for old, _kind, _data in unit.media}
        for text, props in zip(unit.chapters, unit.properties):
            name = slots[len(texts)]
            short = name.rsplit("/", 1)[1]
            if base:  # the unit's own ch001.xhtml... are the book's files from slots[base]
                text = _LOCAL_FILE.sub(lambda m: m.group(1) + slots[base + int(m.group(2)) - 1].rsplit("/", 1)[1], text)
            for old, new in renamed.items():
                text = text.replace(f'"../media/{old}"', f'"../media/{new}"')
            texts[name] = text
            where.update(dict.fromkeys(_ID.findall(text), short))
            if props:
                properties[short] = props
        media += [(renamed[old], kind, blob) for old, kind, blob in unit.media]

    def resolve(match: re.Match) -> str:
        short = where.get(match.group(1))
        return f'href="{short}#{match.group(1)}"' if short else match.group(0)

    for name, text in texts.items():
        if 'href="#' in text:
            texts[name] = _BARE_LINK.sub(resolve, text)
        del files[name]
    if media:
        opf = next(n for n in files if n.endswith(".opf"))
        items = "".join(
            f'    <item id="{name.replace(".", "_")}" href="media/{name}" media-type="{kind}" />\n'
            for name, kind, _ in media
        )
        files[opf] = files[opf].replace(b"  </manifest>", items.encode() + b"  </manifest>", 1)
        folder = slots[0].rsplit("/", 2)[0]
        template = next(info for info in infos if info.filename == slots[0])
        for name, _kind, blob in media:
            info = zipfile.ZipInfo(f"{folder}/media/{name}", template.date_time)
            info.compress_type = template.compress_type
            infos.append(info)
            files[info.filename] = blob
    return Book(infos, files, texts, where, properties, bool(media))


_LOCAL_FILE = re.compile(r'(href="|<title>)ch(\d+)\.xhtml')
_ID = re.compile(r'\bid="([^"]+)"')
_BARE_LINK = re.compile(r'href="#([^"]+)"')
