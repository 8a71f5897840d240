"""The web edition written into a folder: a page a unit (front matter, chapters, the
appendix, the bibliography), a home page with the contents and the table of claims, the
index of names, the copyright page, an accessibility statement, a search page; the style
sheet, the scripts and the bundled font. Every page comes from a template of
``templates/web/`` (an edition overrides one by a file of the same name in its own
``templates/web/``, or one block of it with ``{% extends %}``).

Nothing is fetched from the network (the pages say so to the browser too: a Content
Security Policy allows only the site's own files), and the site works opened from disk."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import markupsafe

from folio import ids
from folio.edition import files
from folio.edition.model import Edition
from folio.edition.names import index_entries
from folio.rebuild.cache import digest_of, file_digest
from folio.typefaces import FONT_FILES, FONTS  # (site.css names them in its @font-face rules)
from folio.web import claim_review
from folio.web.pages import CONTENT_SECURITY_POLICY, Media, WebBody, guard_page, ids_in, web_body

ASSETS = ("site.css", "notes.js", "search.js", "favicon.svg")  # plain files of templates/web/, copied as they are
SCRIPTS = {"notes.js", "search.js", "search-index.js"}  # the scripts a page may run (the site's own)
HOME, NAMES, SEARCH, COPYRIGHT, ACCESSIBILITY = (
    "index.html",
    "names.html",
    "search.html",
    "copyright.html",
    "accessibility.html",
)


@dataclass
class Site:
    """What was written (for the report and the tests)."""

    pages: list = field(default_factory=list)  # file names of the HTML pages
    rendered: list = field(default_factory=list)  # units whose page was made anew (not from the cache)
    warnings: list = field(default_factory=list)
    bytes: int = 0


@dataclass(frozen=True)
class PageLink:
    name: str
    title: str  # as HTML
    kind: str
    label: str = ""  # "Chapter 1"


def page_of(unit_id: str) -> str:
    return f"{unit_id}.html"


def _woff2(path: Path, store) -> bytes:
    """A bundled font as WOFF2 (a third of the size), made once and kept in the cache."""
    from fontTools import version

    key = hashlib.sha256(
        f"woff2;{version};{file_digest(path)}".encode()
    ).hexdigest()  # not the tools' digest: a font is made once
    if store is not None:
        kept = store.get("web", key)
        if kept is not None:
            return kept
    from fontTools.ttLib import TTFont

    font = TTFont(str(path))
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    data = out.getvalue()
    if store is not None:
        store.put("web", key, data)
    return data


def web_fonts(store=None) -> dict[str, bytes]:
    """The bundled font's files as the site has them: fonts/<name>.woff2."""
    return {f"fonts/{Path(name).stem}.woff2": _woff2(FONTS / name, store) for name in FONT_FILES.values()}


def _asset(template_dirs: list[Path], name: str, edition_templates: Path) -> bytes:
    """A plain file of templates/web/, first found; a script never from the edition's own
    templates (it would run in every reader's browser): from --templates or folio's."""
    for folder in template_dirs:
        if name.endswith(".js") and folder.resolve() == edition_templates:
            continue
        path = folder / "web" / name
        if path.is_file() and not path.is_symlink():
            try:
                return files.read_bytes(path, [folder.resolve()], "template")
            except files.Refused:
                continue
    raise FileNotFoundError(f"templates/web/{name}")


def write_site(
    edition: Edition,
    converted: list,
    env,
    titles: dict,
    template_dirs: list[Path],
    target: Path,
    typeset=None,
    store=None,
    fonts: dict | None = None,
) -> Site:
    """Write the site into ``target`` (an empty folder)."""
    from folio.pagemap import page_marks
    from folio.typefaces import BUNDLED, embedded_faces, face_rules

    settings = edition.settings
    site = Site()
    media = Media(edition.root)
    base = settings.web_base_url
    html_titles = {anchor: markupsafe.Markup(text) for anchor, text in titles.items()}
    chapters = {chapter.anchor: chapter for chapter in edition.chapters}

    units = [item for item in converted if item.html.strip()]
    where: dict[str, str] = {}
    unit_ids: dict[str, set] = {}
    for item in units:
        found = ids_in(item.html)
        unit_ids[item.unit.id] = found
        for anchor in found:
            where.setdefault(anchor, page_of(item.unit.id))
    where.setdefault(ids.CLAIMS_TABLE, HOME)
    where.setdefault(ids.CONTENTS, HOME)
    where.setdefault(ids.COPYRIGHT, COPYRIGHT)
    starts = page_marks(typeset) if typeset is not None else []
    where_digest = digest_of(json.dumps(sorted(where.items())))

    def claim_url(anchor: str) -> str:
        return f"{base}{where.get(anchor, HOME)}#{anchor}"

    links = []
    for item in units:
        unit = item.unit
        label = chapters[unit.id].number if unit.id in chapters else ""
        links.append(
            PageLink(page_of(unit.id), html_titles.get(unit.id, markupsafe.escape(unit.title)), unit.kind, str(label))
        )

    bodies: dict[str, WebBody] = {}
    for item in units:
        unit = item.unit
        mine = [start for start in starts if start[1] in unit_ids[unit.id]]
        key = digest_of("web-page", item.html, page_of(unit.id), where_digest, json.dumps(mine), base)
        body = store.get("web", key) if store is not None else None
        if body is None or "<img" in body.html:  # a page with images is made again: it copies them
            fresh = body is None
            body = web_body(
                item.html,
                page_of(unit.id),
                where,
                media,
                mine,
                claim_url,
                section_title=env.plain_of.get(getattr(unit.title, "ref", ""), str(unit.title)),
            )
            if fresh:
                site.rendered.append(unit.id)
                if store is not None:
                    store.put("web", key, body)
        bodies[unit.id] = body
    for name, why in media.refused:
        site.warnings.append(f"the image '{name}' is left out of the web edition: {why}")

    common = dict(
        edition=edition,
        settings=settings,
        pages=links,
        home=HOME,
        names_page=NAMES if edition.persons else "",
        search_page=SEARCH,
        copyright_page=COPYRIGHT,
        accessibility_page=ACCESSIBILITY,
        titles=html_titles,
        base_url=base,
        csp=CONTENT_SECURITY_POLICY,
    )
    out: dict[str, bytes] = {}

    def render(template: str, name: str, **context) -> None:
        text = env.render(f"web/{template}", page_name=name, **common, **context)
        text, removed = guard_page(text, SCRIPTS)
        for what in dict.fromkeys(removed):
            site.warnings.append(f"{name}: {what} is left out (a page of the site runs only the site's own scripts)")
        out[name] = text.encode("utf-8")
        site.pages.append(name)

    claims_by_chapter = {c.anchor: edition.claims_of(c) for c in edition.chapters}
    render(
        "home.html.j2",
        HOME,
        title="",
        claims=list(edition.claims.values()),
        claims_by_chapter=claims_by_chapter,
        where=where,
        chapters=chapters,
    )
    for number, item in enumerate(units):
        unit = item.unit
        body = bodies[unit.id]
        reviews = []
        for claim in edition.claims.values():
            if claim.anchor in body.claims:
                found = body.claims[claim.anchor]
                reviews.append(
                    markupsafe.Markup(
                        claim_review.script(
                            claim_review.review_of(
                                edition, claim, claim_url(claim.anchor), found["passage"], found["title"]
                            )
                        )
                    )
                )
        render(
            "unit.html.j2",
            page_of(unit.id),
            title=links[number].title,
            unit=unit,
            link=links[number],
            body=markupsafe.Markup(body.html),
            claim_reviews=reviews,
            previous=links[number - 1] if number > 0 else None,
            next=links[number + 1] if number + 1 < len(links) else None,
            print_pages=body.pages,
        )
    if edition.persons:
        folio_of = typeset.locate if typeset is not None else _mention_order(units)
        marks = [mark for item in converted for mark in item.marks]
        entries = index_entries(edition.persons, marks, folio_of, ranges=False)
        render(
            "names.html.j2",
            NAMES,
            title=settings.index_title,
            entries=entries,
            where=where,
            by_page=typeset is not None,
        )
    render("copyright.html.j2", COPYRIGHT, title="Copyright")
    render("accessibility.html.j2", ACCESSIBILITY, title="Accessibility", print_pages=bool(starts))
    render("search.html.j2", SEARCH, title="Search")

    records = [record.__dict__ for item in units for record in bodies[item.unit.id].records]
    index = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
    index = index.replace("<", "\\u003c")
    out["search-index.js"] = f"window.FOLIO_SEARCH = {index};\n".encode()
    edition_templates = (edition.root / "templates").resolve()
    for name in ASSETS:
        out[name] = _asset(template_dirs, name, edition_templates)
    for script in sorted((edition_templates / "web").glob("*.js")) if (edition_templates / "web").is_dir() else ():
        site.warnings.append(
            f"templates/web/{script.name} of the edition is not used: the site runs only folio's scripts "
            "or those of a --templates folder"
        )
    out.update(fonts if fonts is not None else web_fonts(store))
    face = edition.settings.print.typeface
    if embedded_faces(face):  # the edition's typeface, its licence allowing
        for style, font in face.files:
            out[f"fonts/edition-{style}.woff2"] = _woff2(font, store)
        rules = face_rules(
            face, lambda style, _font: f'url("fonts/edition-{style}.woff2") format("woff2")', "font-display: swap; "
        )
        rules.append(f'body {{ font-family: "{face.family}", "{BUNDLED}", Georgia, serif; }}')
        out["site.css"] = (
            out["site.css"] + ("\n/* the edition's typeface (print.font) */\n" + "\n".join(rules) + "\n").encode()
        )
    out["fonts/OFL.txt"] = (FONTS / "OFL.txt").read_bytes()
    for name, data in media.files.items():
        out[f"media/{name}"] = data
    for name, data in out.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        site.bytes += len(data)
    return site


def _mention_order(units: list):
    """Without a print layout: a mention's place is the part it stands in."""
    order = {}
    for number, item in enumerate(units, start=1):
        for mark in item.marks:
            order[mark.anchor] = (number, item.unit.title if isinstance(item.unit.title, str) else str(number))

    def place(anchor):
        return order.get(anchor)

    return place
