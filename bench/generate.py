"""Generate a large, realistic edition for the benchmark.

The text is synthetic (sentences built from a vocabulary of the field) but
the structure is that of a real critical edition: claims with passages,
analyses full of citations and notes, essay chapters, an appendix of
quotations, a bibliography of books, articles and collections.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import yaml

SURNAMES = ["Abramov", "Belova", "Chernov", "Davies", "Egorova", "Fedorov", "Gorlizki", "Harris", "Ivanova",
            "Jansen", "Kuromiya", "Lazarev", "Morozova", "Naumov", "Orlova", "Petrov", "Quinn", "Rogovin",
            "Sokolova", "Tikhonov", "Ulyanova", "Viola", "Werth", "Yakovlev", "Zhukova", "Khlevniuk", "Fitzpatrick",
            "Hagenloh", "Shearer", "Kotkin", "Priestland", "Goldman", "Harrison", "Lih", "Manning", "Getty"]
GIVEN = ["Anna", "Boris", "Catherine", "Dmitrii", "Elena", "Fedor", "Galina", "Hiroaki", "Irina", "James",
         "Karl", "Lynne", "Mark", "Nina", "Oleg", "Paul", "Roberta", "Sheila", "Tatiana", "Vadim", "Wendy"]
NOUNS = ["plenum", "commission", "archive", "decree", "protocol", "directive", "report", "memorandum", "letter",
         "resolution", "investigation", "interrogation", "delegation", "congress", "bureau", "ministry", "file",
         "telegram", "minute", "transcript", "statement", "draft", "campaign", "purge", "rehabilitation"]
ADJECTIVES = ["central", "regional", "secret", "published", "official", "internal", "surviving", "incomplete",
              "contemporary", "later", "stenographic", "handwritten", "printed", "party", "provincial"]
VERBS = ["records", "shows", "suggests", "confirms", "omits", "contradicts", "qualifies", "repeats", "dates",
         "attributes", "describes", "summarises", "questions", "supports", "reports", "cites"]
PEOPLE = ["Khrushchev", "Stalin", "Beria", "Malenkov", "Molotov", "Kaganovich", "Mikoian", "Ezhov", "Zhdanov",
          "Voroshilov", "Bulganin", "Pospelov", "Ignatiev", "Kirov", "Postyshev", "Eikhe", "Rudzutak"]
PLACES = ["Moscow", "Leningrad", "Kiev", "Tbilisi", "Sverdlovsk", "Novosibirsk", "Kharkov", "Baku"]
PUBLISHERS = ["Yale University Press", "Cambridge University Press", "ROSSPEN", "Harvard University Press",
              "Oxford University Press", "Routledge", "Indiana University Press", "Cornell University Press"]
JOURNALS = ["Slavic Review", "Europe-Asia Studies", "Kritika", "Russian Review", "Cahiers du monde russe",
            "Voprosy istorii", "Otechestvennaia istoriia", "Journal of Modern History"]


class Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def sentence(self) -> str:
        r = self.rng
        shape = r.randrange(4)
        if shape == 0:
            s = (f"The {r.choice(ADJECTIVES)} {r.choice(NOUNS)} of {r.randint(1930, 1956)} {r.choice(VERBS)} "
                 f"that {r.choice(PEOPLE)} and {r.choice(PEOPLE)} discussed the {r.choice(NOUNS)} in "
                 f"{r.choice(PLACES)}")
        elif shape == 1:
            s = (f"{r.choice(PEOPLE)} {r.choice(VERBS)} the {r.choice(ADJECTIVES)} {r.choice(NOUNS)} "
                 f"only in part, and the {r.choice(NOUNS)} prepared for the {r.choice(NOUNS)} does not mention it")
        elif shape == 2:
            s = (f"In the {r.choice(ADJECTIVES)} version the {r.choice(NOUNS)} is dated "
                 f"{r.randint(1, 28)} {r.choice(['January', 'March', 'May', 'July', 'October', 'December'])} "
                 f"{r.randint(1934, 1955)}, whereas the {r.choice(NOUNS)} {r.choice(VERBS)} a later date")
        else:
            s = (f"Historians who have read the {r.choice(ADJECTIVES)} {r.choice(NOUNS)} disagree about what it "
                 f"{r.choice(VERBS)}, and the {r.choice(NOUNS)} of the {r.choice(NOUNS)} has not been published")
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
        if kind in (0, 1, 2):
            entries.append(f"@book{{{key},\n  author = {{{surname}, {given}}},\n  title = {{{title}}},\n"
                           f"  publisher = {{{rng.choice(PUBLISHERS)}}},\n  address = {{{rng.choice(PLACES)}}},\n"
                           f"  year = {{{year}}}\n}}\n")
        elif kind == 3:
            entries.append(f"@article{{{key},\n  author = {{{surname}, {given}}},\n  title = {{{title}}},\n"
                           f"  journal = {{{rng.choice(JOURNALS)}}},\n  volume = {{{rng.randint(1, 80)}}},\n"
                           f"  number = {{{rng.randint(1, 4)}}},\n  pages = {{{rng.randint(1, 300)}--{rng.randint(301, 400)}}},\n"
                           f"  year = {{{year}}}\n}}\n")
        else:
            entries.append(f"@collection{{{key},\n  editor = {{{surname}, {given}}},\n  title = {{{title}: Dokumenty}},\n"
                           f"  publisher = {{{rng.choice(PUBLISHERS)}}},\n  address = {{Moscow}},\n  year = {{{year}}},\n"
                           f"  langid = {{russian}}\n}}\n")
    return "\n".join(entries), keys


def generate(root: Path, scale: int = 1, seed: int = 1956, small: bool = False) -> dict:
    """Write an edition to root/edition and root/bibliography.bib; return its figures.

    ``small`` makes a miniature of the same shape (2 chapters, 1 essay) for the tests."""
    w = Writer(seed)
    rng = w.rng
    edition = root / "edition"
    for sub in ("claims", "chapters", "front", "quotations"):
        (edition / sub).mkdir(parents=True, exist_ok=True)
    bib_text, keys = bibliography(30 if small else 250 * scale, rng)
    (root / "bibliography.bib").write_text(bib_text, encoding="utf-8")

    counts = {"claims": 0, "notes": 0, "words": 0, "quotations": 0, "bib": len(keys), "chapters": 0}
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

    def analysis(paragraphs: int) -> str:
        out, footnotes = [], []
        for p in range(paragraphs):
            text = paragraph(rng.randint(5, 8), 0.105)
            if rng.random() < 0.35:
                label = f"n{p}"
                text += f"[^{label}]"
                footnotes.append(f"[^{label}]: {w.sentence()} {w.sentence()} See {cite()}.")
                counts["notes"] += 1
            out.append(text)
        return "\n\n".join(out + footnotes)

    quotation_records: list[dict] = []
    chapter_files = []
    claim_no = 0
    claims_per_chapter = [3, 2] if small else [7, 7, 6, 7, 7, 6, 7, 7, 6] * scale
    essays = 1 if small else 3 * scale
    for c, n_claims in enumerate(claims_per_chapter, start=1):
        ids = []
        for _ in range(n_claims):
            claim_no += 1
            cid = f"claim-{claim_no:03d}"
            ids.append(cid)
            qids = []
            for q in range(5):
                qid = f"q{claim_no:03d}-{q}"
                qids.append(qid)
                quotation_records.append({
                    "id": qid, "claims": [cid], "heading": f"{rng.choice(NOUNS).title()} of {rng.randint(1934, 1955)}",
                    "date": f"{rng.randint(1, 28)} May {rng.randint(1934, 1955)}",
                    "text": "\n".join(textwrap.wrap(" ".join(w.sentence() for _ in range(5)), 78)),
                    "source": rng.choice(keys), "locator": f"p. {rng.randint(1, 900)}"})
            body = analysis(rng.randint(11, 13))
            passage = " ".join(w.sentence() for _ in range(3))
            front = {"id": cid, "title": f"The {rng.choice(NOUNS)} of {rng.choice(PEOPLE)} in {rng.randint(1934, 1955)}",
                     "passage": {"text": passage, "locator": f"Section {claim_no}"},
                     "assessment": rng.choice(["supported", "disputed", "contradicted"]), "quotations": qids}
            (edition / "claims" / f"{cid}.md").write_text(
                "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body + "\n",
                encoding="utf-8")
            counts["claims"] += 1
            counts["words"] += w.words(body) + w.words(passage)
        opening = paragraph(6, 0.3)
        name = f"chapters/{c:02d}.md"
        (edition / name).write_text(
            "---\n" + yaml.safe_dump({"id": f"ch{c:02d}", "title": f"Chapter Subject {c}", "claims": ids}) + "---\n"
            + opening + "\n", encoding="utf-8")
        counts["words"] += w.words(opening)
        chapter_files.append(name)
    for e in range(1, essays + 1):
        body = analysis(8 if small else 40)
        name = f"chapters/essay-{e}.md"
        (edition / name).write_text(
            "---\n" + yaml.safe_dump({"id": f"essay-{e}", "title": f"Essay on Method {e}", "kind": "essay"})
            + "---\n" + body + "\n", encoding="utf-8")
        counts["words"] += w.words(body)
        chapter_files.append(name)
    (edition / "quotations" / "appendix.yaml").write_text(
        yaml.safe_dump(quotation_records, sort_keys=False, allow_unicode=True), encoding="utf-8")
    counts["quotations"] = len(quotation_records)
    counts["notes"] += len(quotation_records)
    counts["words"] += sum(w.words(q["text"]) for q in quotation_records)
    intro = analysis(4 if small else 20)
    (edition / "front" / "introduction.md").write_text(
        "---\nid: introduction\ntitle: Introduction\n---\n" + intro + "\n", encoding="utf-8")
    counts["words"] += w.words(intro)
    # every bibliography entry is cited at least once
    leftover = [k for k in keys if k not in cited]
    if leftover:
        note = "Further works: " + "; ".join(f"[@{k}]" for k in leftover) + "."
        path = edition / "chapters" / f"essay-{essays}.md"
        path.write_text(path.read_text(encoding="utf-8") + "\n" + note + "\n", encoding="utf-8")
        counts["notes"] += 1
    counts["chapters"] = len(chapter_files)
    settings = {
        "title": "A Generated Edition", "subtitle": "For the Benchmark", "slug": "bench", "language": "en-US",
        "editors": ["Bench Editor"], "publisher": "Bench Press", "place": "Nowhere", "year": 2026,
        "rights": "Generated text.", "description": "A generated edition for the benchmark.",
        "assessments": {"supported": "Supported", "disputed": "Disputed", "contradicted": "Contradicted"},
        "contents": {"front": ["front/introduction.md"], "chapters": chapter_files},
    }
    (edition / "edition.yaml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return counts
