"""Every quotation verified against the text it quotes, where the edition holds that text.

A claim's passage and an appendix quotation are looked up in the held text of their source
(``sources/``, ``folio.edition.texts``). Both sides are compared as words and the punctuation
between them, after normalising what a scan or a keyboard changes without changing the text:

- the Unicode form (NFKC: ligatures such as "ﬁ" become "fi", full-width forms become plain);
- letter case;
- quotation marks and apostrophes (straight, curly, single, double, guillemets) are not compared:
  editions nest and curl them differently, and a name may end in one (a soft sign: Chubar');
- dashes (en, em, minus, "--" are one dash);
- whitespace, line ends, and hyphens inside a word or at a line end ("de- livered", a soft hyphen,
  "Marxism-Leninism" and "MarxismLeninism" are the same word);
- in the held text: its page markers ({p. 12}), form feeds, and the running heads and page numbers
  that stand alone on the first or last line of its pages.

Nothing else is normalised: a changed, added or missing word, a changed number, a changed
punctuation mark between words are differences. Punctuation before the first and after the last
word of a quotation is not compared, nor are symbols that are markup ("*", "_", "#", brackets).

The editor's marks: an ellipsis ("...", "…", "[...]", "[…]") stands for words left out, and the
pieces around it must stand in order, at most ``MAX_GAP`` words apart; words in square brackets
are the editor's (they may stand for a few words of the source, or for none); "[sic]" is passed
over; a bracket inside a word ("[T]he") is read as the word.

Verdicts: exact; close (the differences are the usual noise of a scan: a letter or two in a word,
punctuation) with a warning; differs (a word changed, added or missing, a number changed) and
not found, both errors, with the closest passage of the source, its page and a word-level diff.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from folio.edition.model import Edition, HeldText
from folio.problems import Problems
from folio.rebuild.cache import Store, digest_of

MAX_GAP = 400  # words an ellipsis may leave out
MAX_WORDS = 4000  # words of one run between editorial marks that are verified (a longer one is not checked)
MAX_PIECES = 200  # runs of one quotation
NEGATIONS = frozenset(
    "not no never nor neither nobody nothing none nowhere without cannot can't don't didn't won't isn't wasn't".split()
)
PAGE_MARKER = re.compile(r"\{\s*(?:p|pp|page)\.?\s*([0-9]+|[ivxlcdm]+)\s*\}", re.IGNORECASE)
_W = r"[^\W_]"  # a letter or a digit (not the underscore, which is Markdown's)
TOKEN = re.compile(
    rf"(?P<word>{_W}+(?:(?:['’ʼ]|[-‐‑\u00ad]\s*){_W}+)*)"
    r"|(?P<dash>-{2,3}|[–—―−‒])"
    r"|(?P<dots>\.\s?\.\s?\.|…)"
    r"|(?P<punct>[,.;:!?()\"“”„‟«»‹›‘’‚‛`´])"
)
_QUOTE_MARKS = set("\"“”„‟«»‹›‘’‚‛`´'")
_IN_WORD = re.compile(r"[-‐‑\u00ad\s'’ʼ]")
_EDITORIAL = re.compile(r"\[\s*(?:…|\.\s?\.\s?\.)\s*\]|…|\.\s?\.\s?\.|\[[^\[\]\n]{0,200}\]")
_LOCATOR_PAGES = re.compile(
    r"^\s*(?:pp?\.|pages?)?\s*([0-9]+|[ivxlcdm]+)(?:\s*[-–—]\s*([0-9]+|[ivxlcdm]+))?\s*[.,;]?\s*$", re.IGNORECASE
)

EXACT, CLOSE, DIFFERS, NOT_FOUND, UNCHECKED = "exact", "close", "differs", "not found", "not checked"


# ---------- tokens ----------


def _norm_word(text: str) -> str:
    return _IN_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def _norm_mark(kind: str, text: str) -> str:
    if kind == "dash":
        return "—"
    if kind == "dots":
        return "…"
    return "" if text in _QUOTE_MARKS else text


def tokens(text: str) -> list[tuple[str, bool, int, int]]:
    """(normalised token, is a word, start, end) for each word and punctuation mark of ``text``."""
    found = []
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "word":
            found.append((_norm_word(match.group()), True, match.start(), match.end()))
        elif _norm_mark(kind, match.group()):
            found.append((_norm_mark(kind, match.group()), False, match.start(), match.end()))
    return found


# ---------- the held text, read once and indexed ----------


@dataclass
class Indexed:
    """A held text as the verification reads it: its tokens, the words' positions by word, its pages."""

    body: str
    shown: str  # the body with its page markers, running heads and page numbers blanked
    toks: list  # normalised tokens
    is_word: list
    starts: list
    ends: list
    word_tokens: list  # token index of the n-th word
    words: list  # the n-th word
    index: dict  # word -> its word positions, ascending
    page_starts: list = field(default_factory=list)  # offsets where a page begins
    page_labels: list = field(default_factory=list)

    @property
    def paged(self) -> bool:
        return len(self.page_starts) > 1 or bool(self.page_starts and self.page_starts[0] > 0)

    def page_at(self, offset: int) -> str:
        if not self.page_starts:
            return ""
        at = bisect.bisect_right(self.page_starts, offset) - 1
        return self.page_labels[max(at, 0)]

    def excerpt(self, start_word: int, end_word: int) -> str:
        """The held text's own words from the start_word-th to before end_word, as written."""
        if end_word <= start_word:
            return ""
        start = self.starts[self.word_tokens[start_word]]
        end = self.ends[self.word_tokens[end_word - 1]]
        return " ".join(self.shown[start:end].split())


def _next_label(label: str) -> str:
    return str(int(label) + 1) if label.isdigit() else ""


def index_text(body: str, first_page: str = "1") -> Indexed:
    """The held text tokenised and indexed, its page markers, form feeds and running heads read."""
    starts, labels = [0], [first_page]
    blotted: list = []  # (start, end) of what the comparison leaves out

    def blot(start: int, end: int) -> None:
        blotted.append((start, end))

    for match in PAGE_MARKER.finditer(body):
        if starts and starts[-1] == match.start() or body[: match.start()].strip() == "" and len(starts) == 1:
            starts[-1], labels[-1] = match.start(), match.group(1)
        else:
            starts.append(match.start())
            labels.append(match.group(1))
        blot(match.start(), match.end())
    feeds = [i for i, ch in enumerate(body) if ch == "\f"]
    if feeds:
        merged = sorted([(s, l, "marker") for s, l in zip(starts, labels)] + [(f, "", "feed") for f in feeds])
        starts, labels = [], []
        for offset, label, what in merged:
            if what == "feed":
                label = _next_label(labels[-1]) if labels else ""
            elif starts and body[starts[-1] : offset].strip() == "":
                starts.pop(), labels.pop()  # a marker right after a form feed names that page
            starts.append(offset)
            labels.append(label)
    _blot_running_heads(body, starts, blot)
    text = _blanked(body, blotted)
    found = tokens(text)
    toks = [t[0] for t in found]
    is_word = [t[1] for t in found]
    word_tokens = [i for i, w in enumerate(is_word) if w]
    words = [toks[i] for i in word_tokens]
    index: dict = {}
    for position, word in enumerate(words):
        index.setdefault(word, []).append(position)
    return Indexed(
        body,
        text,
        toks,
        is_word,
        [t[2] for t in found],
        [t[3] for t in found],
        word_tokens,
        words,
        index,
        starts if len(starts) > 1 or labels != [first_page] else [0],
        labels if len(starts) > 1 or labels != [first_page] else [first_page],
    )


def _blanked(body: str, ranges: list) -> str:
    """The body with the characters of ``ranges`` made spaces (its line ends kept): offsets hold."""
    out, at = [], 0
    for start, end in sorted(ranges):
        if start < at:
            start = at
        if end <= start:
            continue
        out.append(body[at:start])
        out.append(re.sub(r"[^\n]", " ", body[start:end]))
        at = end
    out.append(body[at:])
    return "".join(out)


def _blot_running_heads(body: str, starts: list, blot) -> None:
    """Blank the first and last lines of the pages that are a running head (the same words,
    numbers aside, at three pages or more) or a page number alone."""
    if len(starts) < 3:
        return
    edges = []  # (key, start, end)
    bounds = starts[1:] + [len(body)]
    for start, end in zip(starts, bounds):
        lines = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^\n\f]+", body[start:end])]
        lines = [(a, b) for a, b in lines if body[a:b].strip() and not PAGE_MARKER.fullmatch(body[a:b].strip())]
        for a, b in lines[:1] + lines[-1:]:
            key = " ".join(re.sub(r"[0-9ivxlcdm]+\b", " ", body[a:b].casefold()).split())
            edges.append((key, a, b))
    counts: dict = {}
    for key, _a, _b in edges:
        counts[key] = counts.get(key, 0) + 1
    for key, a, b in edges:
        if key == "" or (counts[key] >= 3 and len(key) < 80):
            blot(a, b)


# ---------- the quotation and its editorial marks ----------


@dataclass
class Piece:
    toks: list  # (normalised token, is a word)
    gap: int  # words of the source that may stand before it (after the piece before)
    ellipsis: bool  # the gap before it is an ellipsis (not an insertion)

    @property
    def words(self) -> list:
        return [t for t, w in self.toks if w]


def pieces(text: str) -> list[Piece]:
    """The quotation cut at its editorial marks: the runs of words that must be found."""
    found: list[Piece] = []
    gap, ellipsis, at = 0, False, 0
    buffer = ""

    def flush() -> None:
        nonlocal buffer, gap, ellipsis
        toks = [(t, w) for t, w, _s, _e in tokens(buffer)]
        if any(w for _t, w in toks):
            found.append(Piece(toks, gap, ellipsis))
            gap, ellipsis = 0, False
        buffer = ""

    for match in _EDITORIAL.finditer(text):
        mark = match.group()
        before, after = text[match.start() - 1 : match.start()], text[match.end() : match.end() + 1]
        buffer += text[at : match.start()]
        at = match.end()
        if not mark.startswith("[") or mark[1:-1].strip() in ("…", "...", ". . ."):
            flush()
            gap, ellipsis = gap + MAX_GAP, True
        elif mark[1:-1].strip().casefold().rstrip("!") == "sic":
            continue
        elif re.match(_W, before or " ") or re.match(_W, after or " "):
            buffer += mark[1:-1]  # "[T]he": the editor's letter is read as part of the word
        else:
            flush()
            gap += sum(1 for _t, w, _s, _e in tokens(mark) if w) + 6
    buffer += text[at:]
    flush()
    return found


# ---------- matching ----------


@dataclass
class Match:
    """Where a piece stands in the held text (words start..end) and how it differs."""

    start: int
    end: int
    ratio: float
    opcodes: list


def _align(piece: list, held: Indexed, lo: int, hi: int, late: bool = False) -> Match | None:
    window = held.words[lo:hi]
    matcher = difflib.SequenceMatcher(None, piece, window, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if late and len(piece) <= 3:  # a short run before its neighbour: the one nearest it
        exact = [i for i in range(len(window) - len(piece), -1, -1) if window[i : i + len(piece)] == piece]
        if exact:
            blocks = [difflib.Match(0, exact[0], len(piece))]
    if not blocks:
        return None
    # the source's words that stand for the piece: from its first matched word, less the
    # quotation's unmatched words before it, to its last, plus those after it
    first, last = blocks[0], blocks[-1]
    start = max(0, first.b - first.a)
    end = min(len(window), last.b + last.size + (len(piece) - last.a - last.size))
    span = window[start:end]
    trimmed = difflib.SequenceMatcher(None, piece, span, autojunk=False)
    return Match(lo + start, lo + end, trimmed.ratio(), trimmed.get_opcodes())


def locate(piece: list, held: Indexed, lo: int = 0, hi: int | None = None, late: bool = False) -> Match | None:
    """The best place of a run of words in the held text, between word positions lo and hi (of
    places as good, the first; the last when ``late``)."""
    hi = len(held.words) if hi is None else hi
    size = len(piece)
    present = sorted((len(held.index[w]), k, w) for k, w in enumerate(piece) if w in held.index)
    if not present:
        return None
    votes: dict = {}
    bucket = max(4, size // 4)
    for _count, k, word in present[:8]:
        positions = held.index[word]
        for position in positions[bisect.bisect_left(positions, lo) : bisect.bisect_left(positions, hi)][:5000]:
            key = (position - k) // bucket
            votes[key] = votes.get(key, 0) + 1
    best: Match | None = None
    for key, _n in sorted(votes.items(), key=lambda item: (-item[1], -item[0] if late else item[0]))[:6]:
        start = key * bucket
        slack = size // 2 + bucket + 20  # (the source may hold more words than the quotation: a page's foot)
        match = _align(piece, held, max(lo, start - slack), min(hi, start + size + slack), late)
        if match is None:
            continue
        if (
            best is None
            or match.ratio > best.ratio
            or (match.ratio == best.ratio and late and match.start > best.start)
        ):
            best = match
    return best


def _has_digit(words) -> bool:
    return any(ch.isdigit() for word in words for ch in word)


def _noise_word(a: str, b: str) -> bool:
    if a in NEGATIONS or b in NEGATIONS or _has_digit((a, b)):
        return False
    ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    if max(len(a), len(b)) <= 4:
        return ratio >= 0.66 and abs(len(a) - len(b)) <= 1
    return ratio >= 0.75


def is_noise(quoted: list, source: list) -> bool:
    """Whether words of the quotation and the source that differ are only a scan's noise."""
    if "".join(quoted) == "".join(source) and not (set(quoted) ^ set(source)) & NEGATIONS:
        return True  # a word split or run together
    if (set(quoted) | set(source)) & NEGATIONS or _has_digit(quoted) or _has_digit(source):
        return False
    if not quoted or not source:
        return all(len(w) <= 1 and w not in ("a", "i", "o") for w in quoted + source)
    if len(quoted) == len(source):
        return all(_noise_word(a, b) for a, b in zip(quoted, source))
    return difflib.SequenceMatcher(None, " ".join(quoted), " ".join(source), autojunk=False).ratio() >= 0.85


def _words(items) -> str:
    return " ".join(items)


def describe(opcode, piece: list, span: list) -> str:
    tag, i1, i2, j1, j2 = opcode
    quoted, source = piece[i1:i2], span[j1:j2]
    if tag == "insert":
        return f"the source has '{_words(source)}' where the quotation has nothing"
    if tag == "delete":
        return f"the quotation has '{_words(quoted)}' where the source has nothing"
    return f"the source has '{_words(source)}' where the quotation has '{_words(quoted)}'"


# ---------- verdicts ----------


@dataclass
class Verdict:
    """What the verification found of one quotation (a claim's passage or an appendix quotation)."""

    kind: str  # "passage" or "quotation"
    id: str
    label: str  # as the report names it: "claim 7 (kirov)", "quotation lenin-rude"
    path: Path
    line: int
    key: str  # the source's bibliography key
    locator: str
    verdict: str = UNCHECKED
    similarity: float = 0.0
    page: str = ""  # where it was found ("14", "14-15")
    spans: list = field(default_factory=list)  # (start, end) offsets in the held text's body, per piece
    differences: list = field(default_factory=list)  # sentences
    closest: str = ""  # the held text's own words where it was looked for
    wrong_page: str = ""  # the locator's page, when it differs from where it was found
    omitted_negation: str = ""  # the source's words an ellipsis leaves out, when they hold a negation
    claim_ids: tuple = ()
    translated: bool = False  # the quotation is the editor's translation (it has a translation_note)


def _at_page_break(held: Indexed, start_word: int, end_word: int) -> bool:
    """Whether a page of the held text begins among (or just before or after) these words of it,
    which the quotation does not have: what a scan prints at a page's foot or head (its notes)."""
    if not held.paged or end_word <= start_word:
        return False
    first = held.starts[held.word_tokens[max(0, start_word - 1)]]
    last = held.ends[held.word_tokens[min(len(held.words) - 1, end_word)]]
    at = bisect.bisect_right(held.page_starts, first)
    return at < len(held.page_starts) and held.page_starts[at] <= last


def _page_range(held: Indexed, start_word: int, end_word: int) -> str:
    if not held.paged or end_word <= start_word:
        return ""
    first = held.page_at(held.starts[held.word_tokens[start_word]])
    last = held.page_at(held.starts[held.word_tokens[end_word - 1]])
    return first if first == last else f"{first}–{last}"


def locator_pages(locator: str) -> set[str] | None:
    """The pages a locator names ("p. 12", "pp. 12-14", "12"), or None when it names no page."""
    match = _LOCATOR_PAGES.match(locator or "")
    if not match:
        return None
    first, last = match.group(1).lower(), (match.group(2) or match.group(1)).lower()
    if first.isdigit() and last.isdigit() and 0 <= int(last) - int(first) < 1000:
        return {str(n) for n in range(int(first), int(last) + 1)}
    return {first, last}


def _pages_of(page: str) -> set[str]:
    if "–" not in page:
        return {page.lower()}
    first, last = page.split("–")
    if first.isdigit() and last.isdigit():
        return {str(n) for n in range(int(first), int(last) + 1)}
    return {first.lower(), last.lower()}


def _punctuation_differences(held: Indexed, match: Match, piece: Piece) -> list[str]:
    source = held.toks[held.word_tokens[match.start] : held.word_tokens[match.end - 1] + 1]
    quoted = [t for t, _w in piece.toks]
    words = [i for i, (_t, w) in enumerate(piece.toks) if w]
    quoted = quoted[words[0] : words[-1] + 1]
    if source == quoted:
        return []
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, quoted, source, autojunk=False).get_opcodes():
        if tag != "equal":
            context = " ".join(source[max(0, j1 - 2) : j2 + 2])
            out.append(
                f"punctuation: the source has '{' '.join(source[j1:j2]) or 'nothing'}' where the quotation has "
                f"'{' '.join(quoted[i1:i2]) or 'nothing'}' (source: '{context}')"
            )
    return out


def _find_piece(piece: Piece, held: Indexed, lo: int, hi: int, late: bool) -> Match | None:
    return locate(piece.words, held, max(0, lo), min(len(held.words), hi), late)


def check_one(verdict: Verdict, text: str, held: Indexed) -> Verdict:
    """The verdict of one quotation's text against its held text."""
    found = pieces(text)
    if not found:
        verdict.verdict = EXACT
        return verdict
    if len(found) > MAX_PIECES or any(len(piece.words) > MAX_WORDS for piece in found):
        verdict.differences = [f"too long to verify (more than {MAX_WORDS:,} words, or {MAX_PIECES} ellipses)"]
        return verdict
    # the longest piece is found first, anywhere; the others in order around it, each near its neighbour
    anchor = max(range(len(found)), key=lambda i: len(found[i].words))
    matches: dict[int, Match] = {}
    real: list[str] = []
    noise: list[str] = []
    order = [anchor] + list(range(anchor + 1, len(found))) + list(range(anchor - 1, -1, -1))
    for number in order:
        piece = found[number]
        if number == anchor:
            match = locate(piece.words, held)
        elif number > anchor:
            edge = matches[number - 1].end
            match = _find_piece(piece, held, edge, edge + piece.gap + len(piece.words) * 2, late=False)
        else:
            edge = matches[number + 1].start
            gap = found[number + 1].gap
            match = _find_piece(piece, held, edge - gap - len(piece.words) * 2, edge, late=True)
        if number != anchor and (match is None or match.ratio < 0.5):
            elsewhere = locate(piece.words, held)
            if elsewhere is not None and elsewhere.ratio >= 0.5:
                where = _page_range(held, elsewhere.start, elsewhere.end)
                mark = (
                    "ellipsis"
                    if (found[number].ellipsis if number > anchor else found[number + 1].ellipsis)
                    else "insertion"
                )
                real.append(
                    f"'{_words(piece.words[:6])}{'...' if len(piece.words) > 6 else ''}' stands elsewhere in the "
                    f"source{f' (p. {where})' if where else ''}, not next to the words on the other side of the {mark}"
                )
                match = None
        if match is None or match.ratio < 0.5:
            best = match or locate(piece.words, held)
            if best is not None and best.ratio >= 0.3:
                verdict.closest = held.excerpt(best.start, best.end)
                verdict.page = _page_range(held, best.start, best.end)
                verdict.similarity = round(best.ratio, 2)
            verdict.verdict = NOT_FOUND
            verdict.differences = real
            return verdict
        matches[number] = match
        span = held.words[match.start : match.end]
        for opcode in match.opcodes:
            tag, i1, i2, j1, j2 = opcode
            if tag == "equal":
                continue
            if tag == "insert" and _at_page_break(held, match.start + j1, match.start + j2):
                noise.append(describe(opcode, piece.words, span) + " (at the turn of a page: a footnote or a head?)")
                continue
            (noise if is_noise(piece.words[i1:i2], span[j1:j2]) else real).append(describe(opcode, piece.words, span))
        if not any(tag != "equal" for tag, *_ in match.opcodes):
            noise += _punctuation_differences(held, match, piece)
    ordered = [matches[i] for i in range(len(found))]
    for before, after, piece in zip(ordered, ordered[1:], found[1:]):
        left_out = held.words[before.end : after.start]
        if piece.ellipsis and 0 < len(left_out) <= 12 and set(left_out) & NEGATIONS:
            verdict.omitted_negation = held.excerpt(before.end, after.start)
    matches = ordered
    first, last = matches[0], matches[-1]
    verdict.page = _page_range(held, first.start, last.end)
    verdict.spans = [(held.starts[held.word_tokens[m.start]], held.ends[held.word_tokens[m.end - 1]]) for m in matches]
    quoted = " ".join(w for p in found for w in p.words)
    source = " ".join(w for m in matches for w in held.words[m.start : m.end])
    verdict.similarity = round(difflib.SequenceMatcher(None, quoted, source, autojunk=False).ratio(), 3)
    verdict.closest = " … ".join(held.excerpt(m.start, m.end) for m in matches)
    verdict.differences = real + noise
    verdict.verdict = DIFFERS if real else CLOSE if noise else EXACT
    named = locator_pages(verdict.locator)
    if verdict.page and named is not None and not (named & _pages_of(verdict.page)):
        verdict.wrong_page = verdict.locator
    return verdict


# ---------- the edition ----------


@dataclass
class Verification:
    verdicts: list  # Verdict, claims' passages in book order, then the appendix's quotations
    held: object  # _Held: the held texts, indexed when first asked for

    def indexed(self, key: str) -> Indexed:
        return self.held.get(key)

    def counts(self) -> dict:
        out: dict = {}
        for verdict in self.verdicts:
            out[verdict.verdict] = out.get(verdict.verdict, 0) + 1
        return out

    def marks(self, key: str) -> list:
        """(start, end, claim) of each claim's passage found in the held text of ``key``, in text order."""
        found = []
        for verdict in self.verdicts:
            if verdict.kind == "passage" and verdict.key == key and verdict.verdict in (EXACT, CLOSE):
                for piece, (start, end) in enumerate(verdict.spans, 1):
                    found.append((start, end, verdict.id, piece))
        return sorted(found)


def quoted_text(library, ref: str) -> str:
    """A fragment's words as quoted: its text without its notes and citations."""
    out: list[str] = []

    def visit(node) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("t")
        if kind in ("Note", "Cite", "RawInline", "RawBlock", "Image"):
            return
        if kind == "Str":
            out.append(node["c"])
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Code", "Math"):
            out.append(node["c"][1])
        elif kind == "Quoted":  # (quotation marks are not compared)
            visit(node["c"][1])
        elif kind == "Link":
            visit(node["c"][1])
        elif kind == "Span":
            visit(node["c"][1])
        elif kind == "Div":
            visit(node["c"][1])
        elif "c" in node:
            visit(node["c"])
            if kind in ("Para", "Plain", "Header", "BlockQuote"):
                out.append(" ")

    visit(library.blocks(ref))
    return " ".join("".join(out).split())


def _subjects(edition: Edition) -> list:
    """(Verdict to fill, the fragment's ref) for every passage and quotation, in book order."""
    found = []
    for claim in edition.claims.values():
        source = claim.passage.source
        found.append(
            (
                Verdict(
                    "passage",
                    claim.id,
                    f"claim {claim.label} ({claim.id})",
                    claim.passage.text.path,
                    claim.passage.text.line,
                    source.key if source else "",
                    source.locator if source else "",
                    claim_ids=(claim.id,),
                ),
                claim.passage.text.ref,
            )
        )
    for quotation in edition.quotations.values():
        found.append(
            (
                Verdict(
                    "quotation",
                    quotation.id,
                    f"quotation {quotation.id}",
                    quotation.text.path,
                    quotation.text.line,
                    quotation.source.key,
                    quotation.source.locator,
                    claim_ids=quotation.claim_ids,
                    translated=bool(str(quotation.translation_note).strip()),
                ),
                quotation.text.ref,
            )
        )
    return found


class _Held:
    """The held texts indexed when first needed, through the cache."""

    def __init__(self, texts: dict, store: Store | None) -> None:
        self.texts, self.store, self.indexed = texts, store, {}
        self.digests = {key: digest_of("held-text", held.body, held.first_page) for key, held in texts.items()}

    def get(self, key: str) -> Indexed:
        if key not in self.indexed:
            held: HeldText = self.texts[key]
            found = self.store.get("held", self.digests[key]) if self.store is not None else None
            if not isinstance(found, Indexed):
                found = index_text(held.body, held.first_page)
                if self.store is not None:
                    self.store.put("held", self.digests[key], found)
            self.indexed = {key: found}  # one at a time: the quotations are verified text by text
        return self.indexed[key]


def verify_edition(edition: Edition, library, problems: Problems, store: Store | None = None) -> Verification:
    """Every passage and quotation whose source has a held text verified; the problems reported."""
    held = _Held(edition.texts, store)
    subjects = _subjects(edition)
    texts = {ref: quoted_text(library, ref) for _verdict, ref in subjects}
    done: dict = {}
    for number in sorted(range(len(subjects)), key=lambda n: subjects[n][0].key):  # text by text
        verdict, ref = subjects[number]
        text = texts[ref]
        if verdict.key in edition.texts and not verdict.translated:
            key = digest_of("verdict", held.digests[verdict.key], text, verdict.locator, verdict.label)
            kept = store.get("verdicts", key) if store is not None else None
            if isinstance(kept, Verdict):
                kept.path, kept.line = verdict.path, verdict.line
                verdict = kept
            else:
                verdict = check_one(verdict, text, held.get(verdict.key))
                if store is not None:
                    store.put("verdicts", key, verdict)
        done[number] = verdict
    verdicts = [done[n] for n in range(len(subjects))]
    for verdict in verdicts:
        _report(verdict, edition, problems)
    _report_repeats(verdicts, texts, [ref for _v, ref in subjects], problems)
    return Verification(verdicts, held)


def _shown(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _report(verdict: Verdict, edition: Edition, problems: Problems) -> None:
    if verdict.verdict == UNCHECKED:
        return
    held = edition.texts[verdict.key]
    where = problems.where(held.path)
    page = f" (p. {verdict.page})" if verdict.page else ""
    if verdict.verdict == NOT_FOUND:
        closest = f"; the closest passage{page}, {verdict.similarity:.0%} alike: '{_shown(verdict.closest)}'"
        problems.add(
            "E901",
            verdict.path,
            verdict.line,
            f"{verdict.label}: the quotation is not in the held text of '{verdict.key}' ({where})"
            + (closest if verdict.closest else "; no passage of it shares the quotation's words")
            + (f"; {'; '.join(verdict.differences[:3])}" if verdict.differences else ""),
            "correct the quotation against the source, or its source key; if the held text is incomplete, "
            "add the passage to it",
        )
    elif verdict.verdict == DIFFERS:
        problems.add(
            "E901",
            verdict.path,
            verdict.line,
            f"{verdict.label}: the quotation differs from the held text of '{verdict.key}'{page}: "
            + "; ".join(verdict.differences[:4])
            + (f" (and {len(verdict.differences) - 4} more)" if len(verdict.differences) > 4 else ""),
            f"the source reads: '{_shown(verdict.closest, 300)}'; correct the quotation, or mark what the editor "
            "changed ([...] for words left out, [word] for the editor's)",
        )
    elif verdict.verdict == CLOSE:
        problems.add(
            "W901",
            verdict.path,
            verdict.line,
            f"{verdict.label}: the quotation is close to the held text of '{verdict.key}'{page} but not exact "
            f"({verdict.similarity:.0%} alike): " + "; ".join(verdict.differences[:3]),
            "if the held text is a scan, this is its noise and the quotation may be right; otherwise correct it",
        )
    if verdict.wrong_page:
        problems.add(
            "W902",
            verdict.path,
            verdict.line,
            f"{verdict.label}: the locator says '{verdict.wrong_page}', but the passage stands on p. {verdict.page} "
            f"of the held text of '{verdict.key}'",
            f"give the locator 'p. {verdict.page}'",
        )
    if verdict.omitted_negation:
        problems.add(
            "W904",
            verdict.path,
            verdict.line,
            f"{verdict.label}: an ellipsis leaves out '{_shown(verdict.omitted_negation, 120)}', "
            "which holds a negation: the quotation may say the opposite of its source",
            "quote the words the ellipsis hides, or make sure leaving them out does not change the sense",
        )


def _report_repeats(verdicts: list, texts: dict, refs: list, problems: Problems) -> None:
    """W903 for a passage quoted by two claims, or a quotation held twice in the appendix."""
    for kind in ("passage", "quotation"):
        seen: list = []  # (words joined, verdict)
        for verdict, ref in zip(verdicts, refs):
            if verdict.kind != kind:
                continue
            words = " ".join(w for piece in pieces(texts[ref]) for w in piece.words)
            if not words:
                continue
            for other_words, other in seen:
                shorter = min(len(words), len(other_words))
                same = words == other_words
                inside = shorter >= 60 and (f" {words} " in f" {other_words} " or f" {other_words} " in f" {words} ")
                if same or inside:
                    problems.add(
                        "W903",
                        verdict.path,
                        verdict.line,
                        f"{verdict.label} quotes {'the same words as' if same else 'words also quoted by'} "
                        f"{other.label} ({problems.where(other.path, other.line)})",
                        "two claims quoting one passage may be one claim; a quotation held twice may be one record "
                        "listing both claims",
                    )
                    break
            seen.append((words, verdict))


def report(verification: Verification, problems: Problems) -> str:
    """The verdict of every quotation, one line each, for the editor's records."""
    counts = verification.counts()
    order = (EXACT, CLOSE, DIFFERS, NOT_FOUND, UNCHECKED)
    head = "Quotations checked against the texts held in sources/: " + ", ".join(
        f"{counts[v]} {v}" for v in order if counts.get(v)
    )
    rows = [("verdict", "alike", "place", "quotation", "source", "page", "note")]
    for v in verification.verdicts:
        note = ""
        if v.verdict == UNCHECKED:
            note = (
                v.differences[0]
                if v.differences
                else "a translation (it has a translation_note)"
                if v.translated
                else "no held text of this source"
                if v.key
                else "no source key"
            )
        elif v.differences:
            note = v.differences[0]
        if v.wrong_page:
            note = f"locator says {v.wrong_page}; " + note
        if v.omitted_negation:
            note = f"ellipsis leaves out '{v.omitted_negation}'; " + note
        rows.append(
            (
                v.verdict,
                f"{v.similarity:.0%}" if v.verdict != UNCHECKED else "",
                str(problems.where(v.path, v.line)),
                v.label,
                v.key,
                f"p. {v.page}" if v.page else "",
                _shown(note.rstrip("; "), 100),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:6], widths)) + "  " + row[6] for row in rows]
    return "\n".join([head, ""] + [line.rstrip() for line in lines])
