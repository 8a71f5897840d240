"""Stage 3: render the edition into Pandoc Markdown units with Jinja2.

A unit is one chapter, one front-matter part, the appendix or the
bibliography. Each unit goes through Pandoc on its own, so citations are
full at their first occurrence in each chapter and short afterwards.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from .check import CROSS_REFERENCE, cited_keys
from .model import Edition


@dataclass(frozen=True)
class Unit:
    id: str          # "front-introduction", "chapter-cult", "appendix", "bibliography"
    kind: str        # "front", "chapter", "appendix", "bibliography"
    title: str
    markdown: str
    source: Path | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.markdown.encode()).hexdigest()[:16]


def _blockquote(text: str) -> str:
    return "\n".join(("> " + line) if line.strip() else ">" for line in str(text).strip().splitlines())


def environment(template_dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".svg.j2", ".xml.j2")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["blockquote"] = _blockquote
    return env


NOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")


def _scope_note_labels(text: str, scope: str) -> str:
    """'[^1]' -> '[^scope--1]': labels need only be unique within one file,
    but several files (the claims of a chapter) make one Pandoc unit."""
    return NOTE_LABEL.sub(lambda m: f"[^{scope}--{m.group(1)}]", text)


def _link_cross_references(text: str, edition: Edition) -> str:
    """'[](#cult)' -> '[claim 3](#claim-cult){.xref .claimref}'; quotations likewise."""

    def replace(match: re.Match) -> str:
        ref = match.group(1)
        if ref in edition.claims:
            claim = edition.claims[ref]
            return f"[claim {claim.number}](#{claim.anchor}){{.xref .claimref}}"
        if ref in edition.quotations:
            quotation = edition.quotations[ref]
            return f"[{quotation.heading}](#{quotation.anchor}){{.xref .quotationref}}"
        return match.group(0)  # reported by check

    return CROSS_REFERENCE.sub(replace, text)


@dataclass(frozen=True)
class AppendixEntry:
    """A quotation in a claim's group; printed in full only in its first group."""

    quotation: object
    first: bool
    first_claim: object  # the claim under which it is printed in full


def appendix_groups(edition: Edition) -> list[tuple[object, list[AppendixEntry]]]:
    """(claim, entries) in claim order: a claim's own list, then quotations naming it."""
    groups = []
    printed: dict[str, object] = {}
    for claim in edition.claims.values():
        quotations = edition.quotations_of(claim)
        for quotation in edition.quotations.values():
            if claim.id in quotation.claim_ids and quotation not in quotations:
                quotations.append(quotation)
        entries = []
        for quotation in quotations:
            first = quotation.id not in printed
            printed.setdefault(quotation.id, claim)
            entries.append(AppendixEntry(quotation, first, printed[quotation.id]))
        if entries:
            groups.append((claim, entries))
    return groups


def render_units(edition: Edition, env: jinja2.Environment) -> list[Unit]:
    units: list[Unit] = []
    def link(text: str, scope: str) -> str:
        return _scope_note_labels(_link_cross_references(text, edition), scope)

    for part in edition.front:
        markdown = env.get_template("front.md.j2").render(edition=edition, part=_with(part, body=link(part.body, part.id)))
        units.append(Unit(part.anchor, "front", part.title, markdown, part.path))
    for chapter in edition.chapters:
        claims = [_with(c, analysis=link(c.analysis, c.id)) for c in edition.claims_of(chapter)]
        markdown = env.get_template("chapter.md.j2").render(
            edition=edition, chapter=_with(chapter, opening=link(chapter.opening, chapter.id)), claims=claims)
        units.append(Unit(chapter.anchor, "chapter", chapter.title, markdown, chapter.path))
    if edition.settings.appendix and edition.quotations:
        groups = [(claim, [_with(e, quotation=_with(e.quotation, text=link(e.quotation.text, e.quotation.id))) for e in entries])
                  for claim, entries in appendix_groups(edition)]
        markdown = env.get_template("appendix.md.j2").render(edition=edition, groups=groups)
        units.append(Unit("appendix", "appendix", edition.settings.appendix_title, markdown))
    if edition.settings.bibliography:
        keys = sorted(cited_keys(edition) & set(edition.bibliography.entries))
        markdown = env.get_template("bibliography.md.j2").render(edition=edition, keys=keys)
        units.append(Unit("bibliography", "bibliography", edition.settings.bibliography_title, markdown))
    return units


def _with(obj, **changes):
    return replace(obj, **changes)
