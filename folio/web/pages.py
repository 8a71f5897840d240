"""The units' print HTML made HTML for the web: one page a unit.

What changes from print (``web_body``):
- a note (in print a span WeasyPrint floats to the page foot) becomes a numbered call that
  links to the note, and the note an entry of a list at the end of its section (a claim, a
  quotation, a section or sub-section: up to the next heading of level 1 to 3), with a link back: the site reads in full without JavaScript, and
  ``notes.js`` opens a note in place;
- links between units point at the page that holds their target;
- the print page numbers, from the print layout, become markers ("p. 87") where each
  printed page begins, as in the EPUB's page list;
- what a web page may not carry is taken out, whatever the Markdown let through: scripts,
  styles, frames, embedded media, event handlers, links other than http(s), mailto and
  the site's own, and images from outside the edition (those inside are copied into the site).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from folio import ids
from folio.edition import files
from folio.pagemap import insert_page_breaks

# elements a web page of the edition never carries (their content goes with them)
_DROPPED = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "video", "audio",
    "source", "track", "form", "input", "button", "textarea", "select", "link", "meta", "base",
    "svg", "template", "noscript", "portal", "dialog",
}  # fmt: skip
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "background", "cite", "longdesc", "srcset")
_SAFE_SCHEMES = re.compile(r"^(https?:|mailto:)", re.I)
_NOTE_NUMBER = re.compile(r"-(\d+)$")


@dataclass
class Media:
    """The images the pages use, copied from the edition into the site's media/ folder."""

    root: Path
    files: dict = field(default_factory=dict)  # name under media/ -> bytes
    refused: list = field(default_factory=list)  # (image name, why)

    def add(self, name: str) -> str | None:
        """The site's address of image ``name`` (as the Markdown gave it), or None."""
        roots = [self.root.resolve()]
        try:
            path = files.resolve(self.root, name, roots, "image")
            data = files.read_bytes(path, roots, "image")
        except files.Refused as refused:
            self.refused.append((name, str(refused)))
            return None
        short = hashlib.sha256(data).hexdigest()[:16] + path.suffix.lower()
        self.files[short] = data
        return f"media/{short}"


@dataclass
class Record:
    """One entry of the search index: a claim, a section, a note or a quotation."""

    url: str
    kind: str
    title: str
    text: str


@dataclass
class WebBody:
    html: str
    records: list  # Record
    claims: dict  # claim anchor -> {"passage": text, "title": text}
    pages: list  # the print page labels marked on this page, in order


def class_list(element) -> list[str]:
    return (element.get("class") or "").split()


def _text(element) -> str:
    """An element's text as a reader reads it: without the note calls' numbers."""
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node.tag, str) and "noteref-holder" in (node.get("class") or ""):
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return " ".join("".join(parts).split())


def _remove(element) -> None:
    """Take an element out, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _sanitize(root, media: Media) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            if element.getparent() is not None:
                _remove(element)
            continue
        if element.tag.lower() in _DROPPED:
            _remove(element)
            continue
        for name in list(element.attrib):
            lowered = name.lower()
            if lowered.startswith("on") or lowered in ("srcdoc", "formaction", "srcset", "ping"):
                del element.attrib[name]
            elif lowered == "style" and element.tag != "col":  # Pandoc's column widths stay
                del element.attrib[name]
        for name in _URL_ATTRIBUTES:
            value = (element.get(name) or "").strip()
            if not value or name == "srcset":
                continue
            if element.tag == "img" and name == "src":
                if value.startswith("data:"):
                    del element.attrib[name]
                    continue
                address = media.add(value)
                if address:
                    element.set("src", address)
                else:
                    del element.attrib[name]
            elif not (value.startswith("#") or _SAFE_SCHEMES.match(value)):
                del element.attrib[name]  # javascript:, data:, file:, a path: no link


def web_marker(label: str) -> str:
    return (
        f'<span class="page-marker" id="{ids.page(label)}" role="doc-pagebreak" '
        f'title="print page {label}" data-page="{label}"></span>'
    )


def web_body(
    html: str,
    page: str,
    where: dict,
    media: Media,
    starts: list | None = None,
    claim_url=None,
    section_title: str = "",
) -> WebBody:
    """The web HTML of a unit's print HTML. ``page``: the file it goes in; ``where``: every
    id of the site -> its file; ``starts``: the print pages (label, block, words);
    ``claim_url(anchor)``: the address to cite a claim by."""
    root = lxml_html.fragment_fromstring(html or "<p></p>", create_parent="div")
    _sanitize(root, media)
    records: list[Record] = []
    claims: dict = {}

    for link in root.iter("a"):
        href = link.get("href") or ""
        if href.startswith("#") and len(href) > 1:
            target = href[1:]
            holder = where.get(target)
            if holder is None:
                del link.attrib["href"]
            elif holder != page:
                link.set("href", f"{holder}#{target}")

    # notes: a call that links to the note, the note at the end of its section
    sections: list[tuple[object, list]] = []  # (the element the notes go before, or None; notes)
    current: list = []
    heading = section_title
    headings: dict = {}  # note li -> the title of its section
    for child in list(root):
        if child.tag in ("h1", "h2", "h3") and current:
            sections.append((child, current))
            current = []
        if child.tag in ("h1", "h2", "h3"):
            heading = _text(child)
        for note in child.xpath(".//span[contains(concat(' ', @class, ' '), ' footnote ')]"):
            if note.xpath("ancestor::span[contains(concat(' ', @class, ' '), ' footnote ')]"):
                continue
            anchor = note.get("id") or ""
            number_match = _NOTE_NUMBER.search(anchor)
            number = number_match.group(1) if number_match else "?"
            call_id = "call-" + anchor[len("note-") :] if anchor.startswith("note-") else ""
            call = note.getprevious()
            sup = etree.Element("sup", {"class": "noteref-holder"})
            ref = etree.SubElement(sup, "a", {"class": "noteref"})
            ref.set("href", f"#{anchor}")
            ref.set("role", "doc-noteref")
            ref.set("aria-label", f"note {number}")
            ref.text = number
            if call is not None and "note-call" in class_list(call):
                ref.set("id", call.get("id") or call_id)
                sup.tail = call.tail
                call.getparent().replace(call, sup)
            else:
                ref.set("id", call_id)
                note.addprevious(sup)
            item = etree.Element("li", {"id": anchor, "value": number})
            body = etree.SubElement(item, "p")
            body.text = note.text
            for part in list(note):
                body.append(part)
            item.set("data-text", _text(body))  # for the search index (taken off below)
            back = etree.SubElement(body, "a", {"class": "backref", "role": "doc-backlink"})
            back.set("href", f"#{ref.get('id')}")
            back.set("aria-label", f"back to the call of note {number}")
            back.text = "\u21a9\ufe0e"
            back.tail = ""
            if len(body) > 1:
                body[-2].tail = (body[-2].tail or "") + " "
            else:
                body.text = (body.text or "") + " "
            _remove(note)
            current.append(item)
            headings[item] = heading
    if current:
        sections.append((None, current))
    for before, notes in sections:
        holder = etree.Element("section", {"class": "notes", "role": "doc-endnotes"})
        first, last = notes[0].get("value"), notes[-1].get("value")
        numbers = f"Note {first}" if first == last else f"Notes {first}\u2013{last}"  # unique on the page
        heading = headings[notes[0]]
        holder.set("aria-label", f"{numbers}: {heading}" if heading else numbers)
        listing = etree.SubElement(holder, "ol")
        for item in notes:
            listing.append(item)
            text = item.attrib.pop("data-text")
            records.append(
                Record(f"{page}#{item.get('id')}", "note", f"Note {item.get('value')}, {headings[item]}", text)
            )
        if before is None:
            root.append(holder)
        else:
            before.addprevious(holder)

    # claims: the address to cite them by; the search records of claims, sections, quotations
    for element in root:
        if element.tag not in ("h1", "h2", "h3") or not element.get("id"):
            continue
        anchor = element.get("id")
        kinds = class_list(element)
        text, title = _section_text(element), _text(element)
        if "claim" in kinds:
            passage = next(
                (n for n in element.itersiblings() if n.tag == "div" and "passage" in class_list(n)),
                None,
            )
            claims[anchor] = {"title": title, "passage": _passage_text(passage)}
            permalink = etree.SubElement(element, "a", {"class": "permalink", "href": f"#{anchor}"})
            permalink.set("aria-label", f"link to {title}")
            permalink.text = "#"
            if claim_url is not None:
                url = claim_url(anchor)
                cite = etree.Element("p", {"class": "cite-claim"})
                cite.text = "Cite this claim: "
                address = etree.SubElement(cite, "a", {"href": url})
                address.text = url
                element.addnext(cite)
            records.append(Record(f"{page}#{anchor}", "claim", title, text))
        elif "quotation" in kinds:
            records.append(Record(f"{page}#{anchor}", "quotation", title, text))
        else:
            records.append(Record(f"{page}#{anchor}", "section", title, text))

    out = "".join(lxml_html.tostring(child, encoding="unicode") if isinstance(child.tag, str) else "" for child in root)
    out = (root.text or "") + out
    placed: list[str] = []
    if starts:
        out, placed = insert_page_breaks(out, starts, web_marker)
    return WebBody(out, records, claims, placed)


def _passage_text(passage) -> str:
    if passage is None:
        return ""
    quoted = passage.find(".//blockquote")
    return _text(quoted if quoted is not None else passage)


def _section_text(heading) -> str:
    """The text from a heading to the next heading (to the next of its level or above for a
    claim, whose sections are searched with it), notes left out."""
    level = int(heading.tag[1]) if "claim" in class_list(heading) else 6
    parts = []
    for sibling in heading.itersiblings():
        if isinstance(sibling.tag, str) and re.fullmatch(r"h[1-6]", sibling.tag) and int(sibling.tag[1]) <= level:
            break
        if sibling.tag == "section" and "notes" in class_list(sibling):
            continue
        parts.append(_text(sibling))
    return " ".join(p for p in parts if p)


def ids_in(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


# the only sources a page of the site may use: its own files (and the JSON-LD, not run)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
_NEVER_ON_A_PAGE = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}


def guard_page(text: str, scripts: set[str]) -> tuple[str, list[str]]:
    """A whole page as rendered from the templates (an edition's own among them), kept to
    what the site allows: the scripts named in ``scripts`` and JSON-LD, no event handlers,
    no frames or plug-ins, no javascript: or data: addresses, no redirect, and the site's
    Content Security Policy in its head. Returns the page and what was taken out."""
    document = lxml_html.document_fromstring(text)
    removed: list[str] = []
    for element in list(document.iter()):
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "script":
            kind = (element.get("type") or "").lower()
            if kind == "application/ld+json" and not element.get("src"):
                continue
            if element.get("src") in scripts and not (element.text or "").strip() and not kind:
                continue
            removed.append(f"<script{' src=' + element.get('src') if element.get('src') else ''}>")
            _remove(element)
            continue
        if tag in _NEVER_ON_A_PAGE or (tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh"):
            removed.append(f"<{tag}>")
            _remove(element)
            continue
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "content-security-policy":
            _remove(element)  # put back below, as the site's
            continue
        for name in list(element.attrib):
            value = (element.get(name) or "").strip().lower()
            if name.lower().startswith("on"):
                removed.append(f"{name}= on <{tag}>")
                del element.attrib[name]
            elif name.lower() in ("href", "src", "action", "formaction", "srcdoc") and (
                value.startswith(("javascript:", "data:", "vbscript:")) or name.lower() == "srcdoc"
            ):
                removed.append(f"{name}='{value[:20]}' on <{tag}>")
                del element.attrib[name]
    head = document.find("head")
    if head is None:
        head = etree.Element("head")
        document.insert(0, head)
    policy = etree.Element("meta", {"http-equiv": "Content-Security-Policy", "content": CONTENT_SECURITY_POLICY})
    charset = head.find("meta[@charset]")
    if charset is not None:
        charset.addnext(policy)
    else:
        head.insert(0, policy)
    return "<!DOCTYPE html>\n" + lxml_html.tostring(document, encoding="unicode") + "\n", removed
