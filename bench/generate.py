"""Generate a large, realistic edition for the benchmark and the tests.

The text is synthetic (sentences built from a vocabulary of the field) but the
structure is that of a real critical edition, with the shapes real manuscripts
have: claims with passages (some with a note of their own), analyses full of
citations and notes with sub-headings of their own, essay chapters in sections
and sub-sections, chapter openings and front matter with headings, long notes
(some longer than a page), a chapter with three-digit note numbers, two notes
called side by side, a claim that covers a range of numbers, an appendix of
quotations (some with notes in their text), persons whose names end in an
apostrophe (a transliterated soft sign) and homonyms the text tells apart, and a
bibliography of books, articles and collections.
"""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path

import yaml

SURNAMES = [
    "Abramov",
    "Belova",
    "Chernov",
    "Davies",
    "Egorova",
    "Fedorov",
    "Gorlizki",
    "Harris",
    "Ivanova",
    "Jansen",
    "Kuromiya",
    "Lazarev",
    "Morozova",
    "Naumov",
    "Orlova",
    "Petrov",
    "Quinn",
    "Rogovin",
    "Sokolova",
    "Tikhonov",
    "Ulyanova",
    "Viola",
    "Werth",
    "Yakovlev",
    "Zhukova",
    "Khlevniuk",
    "Fitzpatrick",
    "Hagenloh",
    "Shearer",
    "Kotkin",
    "Priestland",
    "Goldman",
    "Harrison",
    "Lih",
    "Manning",
    "Getty",
]
GIVEN = [
    "Anna",
    "Boris",
    "Catherine",
    "Dmitrii",
    "Elena",
    "Fedor",
    "Galina",
    "Hiroaki",
    "Irina",
    "James",
    "Karl",
    "Lynne",
    "Mark",
    "Nina",
    "Oleg",
    "Paul",
    "Roberta",
    "Sheila",
    "Tatiana",
    "Vadim",
    "Wendy",
]
NOUNS = [
    "plenum",
    "commission",
    "archive",
    "decree",
    "protocol",
    "directive",
    "report",
    "memorandum",
    "letter",
    "resolution",
    "investigation",
    "interrogation",
    "delegation",
    "congress",
    "bureau",
    "ministry",
    "file",
    "telegram",
    "minute",
    "transcript",
    "statement",
    "draft",
    "campaign",
    "purge",
    "rehabilitation",
]
ADJECTIVES = [
    "central",
    "regional",
    "secret",
    "published",
    "official",
    "internal",
    "surviving",
    "incomplete",
    "contemporary",
    "later",
    "stenographic",
    "handwritten",
    "printed",
    "party",
    "provincial",
]
VERBS = [
    "records",
    "shows",
    "suggests",
    "confirms",
    "omits",
    "contradicts",
    "qualifies",
    "repeats",
    "dates",
    "attributes",
    "describes",
    "summarises",
    "questions",
    "supports",
    "reports",
    "cites",
]
# persons of the index: (canonical name, variants, dates); names with apostrophes, and two homonyms
PERSONS = [
    ("Khrushchev, Nikita", ["Khrushchev"], "1894–1971"),
    ("Stalin, Joseph", ["Stalin"], "1878–1953"),
    ("Beria, Lavrentii", ["Beria"], "1899–1953"),
    ("Malenkov, Georgii", ["Malenkov"], "1902–1988"),
    ("Molotov, Viacheslav", ["Molotov"], "1890–1986"),
    ("Kaganovich, Lazar'", ["Kaganovich", "Lazar' Kaganovich"], "1893–1991"),
    ("Mikoian, Anastas", ["Mikoian"], "1895–1978"),
    ("Ezhov, Nikolai", ["Ezhov"], "1895–1940"),
    ("Zhdanov, Andrei", ["Zhdanov"], "1896–1948"),
    ("Voroshilov, Kliment", ["Voroshilov"], "1881–1969"),
    ("Chubar', Vlas", ["Chubar'"], "1891–1939"),
    ("Kosior, Stanislav", ["Kosior"], "1889–1939"),
    ("Kirov, Sergei", ["Kirov"], "1886–1934"),
    ("Postyshev, Pavel", ["Postyshev"], "1887–1939"),
    ("Eikhe, Robert", ["Eikhe"], "1890–1940"),
    ("Rudzutak, Ian", ["Rudzutak"], "1887–1938"),
    ("Zhukov, Georgii", ["Zhukov"], "1896–1974"),
    ("Zhukov, Iurii", ["Zhukov"], "born 1938"),
]
PEOPLE = [p[1][0] for p in PERSONS if p[1][0] != "Zhukov"]
HOMONYMS = [("Zhukov", "zhukov-georgii"), ("Zhukov", "zhukov-iurii")]
PLACES = ["Moscow", "Leningrad", "Kiev", "Tbilisi", "Sverdlovsk", "Novosibirsk", "Kharkov", "Baku"]
PUBLISHERS = [
    "Yale University Press",
    "Cambridge University Press",
    "ROSSPEN",
    "Harvard University Press",
    "Oxford University Press",
    "Routledge",
    "Indiana University Press",
    "Cornell University Press",
]
JOURNALS = [
    "Slavic Review",
    "Europe-Asia Studies",
    "Kritika",
    "Russian Review",
    "Cahiers du monde russe",
    "Voprosy istorii",
    "Otechestvennaia istoriia",
    "Journal of Modern History",
]
SECTION_TITLES = [
    "The documents",
    "What the record shows",
    "Later accounts",
    "The question of dates",
    "Sources and their limits",
    "The archive",
    "Appendix",
]  # 'Appendix': a heading, not the appendix


class Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def person(self) -> str:
        """A person named in the text: mostly plain names, sometimes a homonym said who it is."""
        r = self.rng
        if r.random() < 0.06:
            name, key = r.choice(HOMONYMS)
            return f"[{name}]{{.person key={key}}}"
        return r.choice(PEOPLE)

    def sentence(self) -> str:
        r = self.rng
        shape = r.randrange(4)
        if shape == 0:
            s = (
                f"The {r.choice(ADJECTIVES)} {r.choice(NOUNS)} of {r.randint(1930, 1956)} {r.choice(VERBS)} "
                f"that {self.person()} and {self.person()} discussed the {r.choice(NOUNS)} in "
                f"{r.choice(PLACES)}"
            )
        elif shape == 1:
            s = (
                f"{self.person()} {r.choice(VERBS)} the {r.choice(ADJECTIVES)} {r.choice(NOUNS)} "
                f"only in part, and the {r.choice(NOUNS)} prepared for the {r.choice(NOUNS)} does not mention it"
            )
        elif shape == 2:
            s = (
                f"In the {r.choice(ADJECTIVES)} version the {r.choice(NOUNS)} is dated "
                f"{r.randint(1, 28)} {r.choice(['January', 'March', 'May', 'July', 'October', 'December'])} "
                f"{r.randint(1934, 1955)}, whereas the {r.choice(NOUNS)} {r.choice(VERBS)} a later date"
            )
        else:
            s = (
                f"Historians who have read the {r.choice(ADJECTIVES)} {r.choice(NOUNS)} disagree about what it "
                f"{r.choice(VERBS)}, and the {r.choice(NOUNS)} of the {r.choice(NOUNS)} has not been published"
            )
        return s + "."

    def words(self, text: str) -> int:
        return len(text.split())


def bibliography(n: int, rng: random.Random) -> tuple[str, list[str]]:
    entries, keys = [], []
    for i in range(n):
        surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
        year = rng.randint(1956, 2024)
        key = f"{surname.lower()}{year}{chr(97 + i % 26)}{i}"
        keys.append(key)
        kind = i % 5
        title = f"The {rng.choice(ADJECTIVES).title()} {rng.choice(NOUNS).title()} and the {rng.choice(NOUNS).title()}"
        online = (
            f",\n  url = {{https://www.hrono.ru/libris/lib_{surname[0].lower()}/{surname.lower()}_{year}_{i}.html}}"
            if i % 6 == 2
            else f",\n  doi = {{10.{1000 + i % 90}/{surname.lower()}.{year}.{i:04d}}}"
            if i % 6 == 3
            else ""
        )
        if kind in (0, 1, 2):
            entries.append(
                f"@book{{{key},\n  author = {{{surname}, {given}}},\n  title = {{{title}}},\n"
                f"  publisher = {{{rng.choice(PUBLISHERS)}}},\n  address = {{{rng.choice(PLACES)}}},\n"
                f"  year = {{{year}}}{online}\n}}\n"
            )
        elif kind == 3:
            entries.append(
                f"@article{{{key},\n  author = {{{surname}, {given}}},\n  title = {{{title}}},\n"
                f"  journal = {{{rng.choice(JOURNALS)}}},\n  volume = {{{rng.randint(1, 80)}}},\n"
                f"  number = {{{rng.randint(1, 4)}}},\n  pages = {{{rng.randint(1, 300)}--{rng.randint(301, 400)}}},\n"
                f"  year = {{{year}}}{online}\n}}\n"
            )
        else:
            entries.append(
                f"@collection{{{key},\n  editor = {{{surname}, {given}}},\n  title = {{{title}: Dokumenty}},\n"
                f"  publisher = {{{rng.choice(PUBLISHERS)}}},\n  address = {{Moscow}},\n  year = {{{year}}},\n"
                f"  langid = {{russian}}\n}}\n"
            )
    return "\n".join(entries), keys


_PERSON_SPAN = re.compile(r"\[([^\]]*)\]\{\.person[^}]*\}")
_NOTE_CALL = re.compile(r"\[\^[^\]]+\]")


def plain(markdown: str) -> str:
    """The words of a generated passage or quotation, as its source prints them."""
    text = _NOTE_CALL.sub("", _PERSON_SPAN.sub(r"\1", markdown.split("\n\n[^")[0]))
    return " ".join(text.split())


def ocr_pages(paragraphs: list[str], rng: random.Random, head: str, first_page: int = 1, noise: float = 0.0):
    """A text as a scan's OCR gives it: lines of about 66 characters, words broken at the line
    ends with a hyphen, a form feed between pages of 38 lines, a running head with the page
    number on the first line of each page, curly quotes, "ﬁ" ligatures, and (at the rate
    ``noise`` a word) letters misread ("rn" for "m", "1" for "l"). Returns (text, the page each
    paragraph starts on)."""
    lines: list[str] = []
    starts: list[int] = []
    page = first_page
    out: list[str] = []

    def new_page() -> None:
        nonlocal page
        if out:
            out.append("\f")
            page += 1
        out.append(f"{head.upper()}    {page}\n")

    new_page()
    count = 0
    for paragraph in paragraphs:
        words = paragraph.replace('"', "\u201d").replace("fi", "\ufb01").split()
        if noise:
            words = [
                w.replace("m", "rn", 1)
                if rng.random() < noise and "m" in w
                else w.replace("l", "1", 1)
                if rng.random() < noise / 2
                else w
                for w in words
            ]
        line = ""
        lines = []
        for word in words:
            if len(line) + len(word) + 1 > 66:
                if len(word) > 8 and len(line) < 60 and word.isalpha():
                    cut = max(3, (66 - len(line) - 2))
                    cut = min(cut, len(word) - 3)
                    lines.append(f"{line} {word[:cut]}-".strip())
                    word = word[cut:]
                else:
                    lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        for number, text in enumerate(lines):
            if count and count % 38 == 0:
                new_page()
            if number == 0:
                starts.append(page)
            out.append(text + "\n")
            count += 1
        out.append("\n")
    return "".join(out), starts


def held_texts(edition: Path, claims: list[dict], quotations: list[dict], keys: list[str], w, size: int) -> dict:
    """The examined text (keys[0], with page markers, printed whole) holding every claim's
    passage, and a study (keys[1]) as OCR of at least ``size`` bytes holding the quotations
    given it; the claims and quotations get their source and page. Returns figures."""
    rng = w.rng
    (edition / "sources").mkdir(exist_ok=True)
    # the examined text: filler between the passages, a page marker every six paragraphs
    report, page = [], 1
    for number, claim in enumerate(claims):
        if number % 6 == 0:
            report.append(f"{{p. {page}}}")
            page += 1
        report.append(" ".join(w.sentence() for _ in range(3)))
        claim["passage"]["source"] = keys[0]
        claim["passage"]["page"] = f"p. {page - 1}"
        report.append(plain(claim["passage"]["text"]))
    (edition / "sources" / "report.md").write_text(
        f"---\nsource: {keys[0]}\nprint: true\ntitle: The Report\n---\n\n" + "\n\n".join(report) + "\n",
        encoding="utf-8",
    )
    # the study: its quotations among filler paragraphs, until it is large enough
    paragraphs, placed = [], []
    for quotation in quotations:
        quotation["source"] = keys[1]
        paragraphs += [" ".join(w.sentence() for _ in range(6)) for _ in range(rng.randint(1, 4))]
        placed.append(len(paragraphs))
        paragraphs.append(plain(quotation["text"]))
    while sum(len(p) for p in paragraphs) < size:
        paragraphs.append(" ".join(w.sentence() for _ in range(6)))
    text, starts = ocr_pages(paragraphs, rng, "A Study of the Record")
    for quotation, at in zip(quotations, placed):
        quotation["locator"] = f"p. {starts[at]}"
    (edition / "sources" / "study.txt").write_text(f"---\nsource: {keys[1]}\n---\n" + text, encoding="utf-8")
    return {"held_bytes": len(text.encode("utf-8")), "held_quotations": len(quotations) + len(claims)}


ADDRESSES = (
    " The text is online at http://www.hrono.ru/libris/lib_s/stalin_speech1956_doklad.html.",
    " The file is RGASPI, f. 17, op. 171, d. 466, ll. 12\u201314 (RGASPI-f17-op171-d466).",
    " A scan is at https://digitalarchive.wilsoncenter.org/document/115995.pdf?v=2&lang=ru.",
    " See also doi:10.1017/S0037677900032145 and https://doi.org/10.2307/2501234.",
)


def address_of(n: int) -> str:
    """Every fifth short note names an address a line cannot break at a space (no random draw:
    the rest of the generated text stays as it was)."""
    return ADDRESSES[(n // 5) % len(ADDRESSES)] if n % 5 == 2 else ""


def isbn13(first12: str) -> str:
    """An ISBN-13 from its first twelve digits: the check digit computed (weights 1 and 3)."""
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12)) % 10) % 10
    return f"{first12}{check}"


def generate(root: Path, scale: int = 1, seed: int = 1956, small: bool = False, held: int = 0) -> dict:
    """Write an edition to root/edition and root/bibliography.bib; return its figures.

    ``small`` makes a miniature of the same shape (3 chapters, 1 essay) for the tests. ``held``
    (bytes) adds the texts it quotes, held in sources/: the examined text, printed whole, and
    an OCR'd study of at least that size, against which the quotations are verified."""
    w = Writer(seed)
    rng = w.rng
    edition = root / "edition"
    for sub in ("claims", "chapters", "front", "quotations"):
        (edition / sub).mkdir(parents=True, exist_ok=True)
    bib_text, keys = bibliography(30 if small else 250 * scale, rng)
    (root / "bibliography.bib").write_text(bib_text, encoding="utf-8")

    counts = {
        "claims": 0,
        "notes": 0,
        "words": 0,
        "quotations": 0,
        "bib": len(keys),
        "chapters": 0,
        "long_notes": 0,
        "sections": 0,
        "persons": len(PERSONS),
    }
    cited: set[str] = set()

    def cite() -> str:
        key = keys[len(cited) % len(keys)] if len(cited) < len(keys) else rng.choice(keys)
        cited.add(key)
        counts["notes"] += 1
        return f"[@{key}, {rng.randint(1, 600)}]"

    def paragraph(sentences: int, notes: float) -> str:
        parts = []
        for _ in range(sentences):
            s = w.sentence()
            if rng.random() < notes:
                s = s[:-1] + cite() + "."
            parts.append(s)
        return " ".join(parts)

    def long_note(lines: int) -> str:
        """A discursive note of about ``lines`` lines of note text (a dozen words a line)."""
        text = " ".join(w.sentence() for _ in range(max(1, lines * 12 // 17)))
        return text + f" See {cite()}."

    def analysis(
        paragraphs: int, long_notes: float = 0.05, headings: bool = False, level: str = "###", note_rate: float = 0.35
    ) -> str:
        out, footnotes = [], []
        for p in range(paragraphs):
            if headings and p and p % 4 == 0:
                out.append(f"{level} {rng.choice(SECTION_TITLES)}")
                counts["sections"] += 1
            text = paragraph(rng.randint(5, 8), 0.105)
            if rng.random() < note_rate:
                label = f"n{p}"
                if rng.random() < long_notes:
                    body = long_note(rng.choice([14, 20, 28, 60]))
                    counts["long_notes"] += 1
                else:
                    body = f"{w.sentence()} {w.sentence()} See {cite()}."
                    counts["short_notes"] = counts.get("short_notes", 0) + 1
                    body += address_of(counts["short_notes"])  # URLs, DOIs and archive references in some notes
                text += f"[^{label}]"
                footnotes.append(f"[^{label}]: {body}")
                counts["notes"] += 1
                if p == 1 and rng.random() < 0.3:  # two notes called side by side
                    text += f"[^{label}b]"
                    footnotes.append(f"[^{label}b]: {w.sentence()}")
                    counts["notes"] += 1
            out.append(text)
        return "\n\n".join(out + footnotes)

    quotation_records: list[dict] = []
    claim_files: list = []  # (path, front matter, body), written once the held texts gave their pages
    chapter_files = []
    claim_no = 0
    claims_per_chapter = [3, 2, 2] if small else [7, 7, 6, 7, 7, 6, 7, 7, 6] * scale
    essays = 1 if small else 3 * scale
    range_claim = 4 if small else 21  # a claim that covers four numbers (the book treats 21-24 as one)
    for c, n_claims in enumerate(claims_per_chapter, start=1):
        ids = []
        for _ in range(n_claims):
            claim_no += 1
            cid = f"claim-{claim_no:03d}"
            ids.append(cid)
            qids = []
            for q in range(3 if small else 5):
                qid = f"q{claim_no:03d}-{q}"
                qids.append(qid)
                # (a person's attributes are never cut by a line end: Pandoc would not read them)
                words = " ".join(w.sentence() for _ in range(5)).replace("{.person key=", "{.person\0key=")
                text = "\n".join(textwrap.wrap(words, 78, break_on_hyphens=False)).replace("\0", " ")
                if q == 1:  # a note of the editor's own inside the quoted text
                    text += f"[^q{q}]\n\n[^q{q}]: {w.sentence()}"
                    counts["notes"] += 1
                quotation_records.append(
                    {
                        "id": qid,
                        "claims": [cid],
                        "heading": f"{rng.choice(NOUNS).title()} of {rng.randint(1934, 1955)}",
                        "date": f"{rng.randint(1, 28)} May {rng.randint(1934, 1955)}",
                        "text": text,
                        "source": rng.choice(keys),
                        "locator": f"p. {rng.randint(1, 900)}",
                    }
                )
            body = analysis(rng.randint(11, 13) if not small else 6, headings=claim_no % 3 == 1)
            passage = " ".join(w.sentence() for _ in range(3))
            if claim_no % 4 == 2:  # a note in the quoted passage, written with the analysis
                passage += "[^p1]"
                body += f"\n\n[^p1]: {w.sentence()}"
                counts["notes"] += 1
            front = {
                "id": cid,
                "title": f"The {rng.choice(NOUNS)} of {rng.choice(PEOPLE)} in {rng.randint(1934, 1955)}",
                "passage": {"text": passage, "locator": f"Section {claim_no}"},
                "assessment": rng.choice(["supported", "disputed", "contradicted"]),
                "quotations": qids,
            }
            if claim_no == range_claim:
                front["number"] = f"{claim_no}-{claim_no + 3}"
                claim_no += 3
            claim_files.append((edition / "claims" / f"{cid}.md", front, body))
            counts["claims"] += 1
            counts["words"] += w.words(body) + w.words(passage)
        opening = paragraph(6, 0.3)
        if c == 2:  # a heading in a chapter's opening
            opening = "## About this chapter\n\n" + opening
            counts["sections"] += 1
        name = f"chapters/{c:02d}.md"
        meta = {"id": f"ch{c:02d}", "title": f"Chapter Subject {c}", "claims": ids}
        if c == 1:
            meta["title"] = "Who Fostered the Cult of the Individual, and Who Profited from It Afterwards"
            meta["short_title"] = "Who Fostered the Cult"
        (edition / name).write_text(
            "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n" + opening + "\n", encoding="utf-8"
        )
        counts["words"] += w.words(opening)
        chapter_files.append(name)
    for e in range(1, essays + 1):
        # the first essay has more than a hundred notes: three-digit note numbers
        body = analysis(
            14 if small else 40,
            long_notes=0.15,
            headings=True,
            level="##",
            note_rate=0.95 if e == 1 and not small else 0.35,
        )
        if e == 1:
            body = body.replace("## ", "### ", 1)  # a sub-section under the essay's first section
            extra = "\n\n".join(
                f"A further remark on the sources.[^x{n}]\n\n[^x{n}]: {w.sentence()}"
                for n in range(100 if small else 70)
            )
            body = "## The sources\n\n" + extra + "\n\n" + body
            counts["notes"] += 100 if small else 70
        name = f"chapters/essay-{e}.md"
        (edition / name).write_text(
            "---\n"
            + yaml.safe_dump({"id": f"essay-{e}", "title": f"Essay on Method {e}", "kind": "essay"})
            + "---\n"
            + body
            + "\n",
            encoding="utf-8",
        )
        counts["words"] += w.words(body)
        chapter_files.append(name)
    if held:
        studied = [q for q in quotation_records if q["id"].endswith("-0")]
        counts.update(held_texts(edition, [front for _p, front, _b in claim_files], studied, keys, w, held))
    for path, front, body in claim_files:
        path.write_text(
            "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body + "\n",
            encoding="utf-8",
        )
    (edition / "quotations" / "appendix.yaml").write_text(
        yaml.safe_dump(quotation_records, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    counts["quotations"] = len(quotation_records)
    counts["notes"] += len(quotation_records)
    counts["words"] += sum(w.words(q["text"]) for q in quotation_records)
    intro = "## Scope\n\n" + analysis(4 if small else 20)
    (edition / "front" / "introduction.md").write_text(
        "---\nid: introduction\ntitle: Introduction\n---\n" + intro + "\n", encoding="utf-8"
    )
    counts["words"] += w.words(intro)
    # every bibliography entry is cited at least once
    leftover = [k for k in keys if k not in cited]
    if leftover:
        note = "Further works: " + "; ".join(f"[@{k}]" for k in leftover) + "."
        path = edition / "chapters" / f"essay-{essays}.md"
        path.write_text(path.read_text(encoding="utf-8") + "\n" + note + "\n", encoding="utf-8")
        counts["notes"] += 1
    persons = [{"name": name, "variants": variants, "dates": dates} for name, variants, dates in PERSONS]
    for person in persons:
        if person["name"].startswith("Zhukov"):  # homonyms: the text says who each mention is
            person["variants"] = []
    (edition / "persons.yaml").write_text(
        yaml.safe_dump(persons, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    counts["chapters"] = len(chapter_files)
    settings = {
        "title": "A Generated Edition",
        "subtitle": "For the Benchmark",
        "slug": "bench",
        "language": "en-US",
        "editors": ["Bench Editor"],
        "publisher": "Bench Press",
        "place": "Nowhere",
        "year": 2026,
        "rights": "Generated text.",
        "description": "A generated edition for the benchmark.",
        "isbn": {"print": isbn13("979899999010"), "ebook": isbn13("979899999011")},
        "press": {  # the press package (build --format cover,onix): the book as a press would upload it
            "printer": "kdp",
            "paper": "white",
            "price_code": "52495",
            "publication_date": "2026-09-01",
            "thema": ["NHD"],
            "bisac": ["HIS032000"],
        },
        "assessments": {"supported": "Supported", "disputed": "Disputed", "contradicted": "Contradicted"},
        "contents": {"front": ["front/introduction.md"], "chapters": chapter_files}
        | ({"text": "sources/report.md"} if held else {}),
        # names the English hyphenation dictionary cannot break, as an editor lists them after W505
        "print": {
            "hyphenation": [
                "Ka-ga-no-vich",
                "Khru-shchev",
                "Le-nin-grad",
                "Ma-len-kov",
                "Mi-ko-ian",
                "Sverd-lovsk",
                "Vo-ro-shi-lov",
                "Khar-kov",
            ]
        },
    }
    (edition / "edition.yaml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return counts
