"""Each claim of the edition as a schema.org ClaimReview (JSON-LD), the form fact checks are
published in: the quoted passage is ``claimReviewed``, the assessment ``reviewRating`` (its
label from the edition's vocabulary), the examined text ``itemReviewed``, the editors
``author``, the edition's date ``datePublished``."""

from __future__ import annotations

import json
import re

from folio.clock import build_moment
from folio.edition.model import Claim, Edition

_BRACES = re.compile(r"[{}]")
_COMMANDS = re.compile(r"\\[a-zA-Z]+\s*")


def _bib_text(value) -> str:
    """A BibTeX field as plain text (braces and commands out)."""
    if isinstance(value, (list, tuple)):
        value = " and ".join(str(v) for v in value)
    return " ".join(_COMMANDS.sub("", _BRACES.sub("", str(value or ""))).split())


def _names(value: str) -> list[str]:
    """BibTeX names ('Khrushchev, Nikita S. and ...') as 'Nikita S. Khrushchev'."""
    names = []
    for name in re.split(r"\s+and\s+", _bib_text(value)):
        if "," in name:
            family, _, given = name.partition(",")
            name = f"{given.strip()} {family.strip()}".strip()
        if name:
            names.append(name)
    return names


def _iso_date(edition: Edition) -> str:
    """The edition's year when it names one; else the day of the build (SOURCE_DATE_EPOCH)."""
    if edition.settings.year:
        return str(edition.settings.year)
    return f"{build_moment():%Y-%m-%d}"


def review_of(edition: Edition, claim: Claim, url: str, passage: str, title: str) -> dict:
    settings = edition.settings
    authors = [{"@type": "Person", "name": name} for name in settings.editors or settings.authors]
    publisher = {"@type": "Organization", "name": str(settings.publisher)} if settings.publisher else None
    label = edition.assessment_label(claim)
    item: dict = {"@type": "Claim"}
    source = claim.passage.source
    entry = edition.bibliography.entries.get(source.key) if source else None
    if entry is not None:
        fields = {k.lower(): v for k, v in entry.fields.items()}
        speakers = _names(fields.get("author", "") or fields.get("editor", ""))
        if speakers:
            item["author"] = [{"@type": "Person", "name": name} for name in speakers]
        work = {"@type": "CreativeWork", "name": _bib_text(fields.get("title", ""))}
        year = _bib_text(fields.get("date", "") or fields.get("year", ""))
        if re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", year):
            work["datePublished"] = year
            item["datePublished"] = year
        if _bib_text(fields.get("url", "")).startswith(("https://", "http://")):
            work["url"] = _bib_text(fields["url"])
        if work["name"]:
            item["appearance"] = work
    if claim.passage.locator:
        item["name"] = f"{claim.passage.locator}"
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "name": title,
        "claimReviewed": passage,
        "reviewRating": {"@type": "Rating", "alternateName": label, "name": label},
        "itemReviewed": item,
        "author": authors or publisher or {"@type": "Organization", "name": str(settings.title)},
        "datePublished": _iso_date(edition),
        "inLanguage": settings.language,
        "isPartOf": {"@type": "Book", "name": str(settings.title)},
    }
    if publisher:
        review["publisher"] = publisher
    return review


def script(data: dict) -> str:
    """The JSON-LD as the content of a <script type="application/ld+json">: '<' escaped so that
    no text of the edition can close the element."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
