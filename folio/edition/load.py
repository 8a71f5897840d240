"""Stage 1: read the editor's files into the typed model.

Every fault is added to ``problems`` with its file and line; loading goes
on past faults so that one run reports them all, without cascades (a claim
whose file is faulty is still known by its id, so the chapter that lists it
is not reported too). The result is only used when no error was found.

Every file is read through ``files``: inside the edition, regular, within its
size limit, UTF-8 without control characters.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from folio import ids
from folio.edition import files, schema
from folio.edition.bibliography import load_bibliography
from folio.edition.model import (
    Chapter,
    Claim,
    Edition,
    FrontPart,
    Markdown,
    Passage,
    Person,
    PrintSettings,
    Quotation,
    Settings,
    Source,
    Typeface,
)
from folio.edition.output_intent import (
    PRINT_STANDARDS,
    PROFILE_TOOLS,
    default_profile,
    is_print_standard,
    profile_fault,
)
from folio.edition.styles import find_style
from folio.edition.yamlfile import LinedDict, YamlSyntaxError, empty_mapping, parse_with_faults, split_front_matter
from folio.problems import Problems, did_you_mean

ID_PATTERN = schema.ID


class Reader:
    """Reads the edition's files for the loader: each through the resolver, each fault reported."""

    def __init__(self, root: Path, problems: Problems) -> None:
        self.root = Path(root)
        self.roots = [self.root.resolve()]
        self.problems = problems
        self.listed: dict = {}  # file named in contents -> (key, index, line) where it was first named

    def folder_files(self, name: str, pattern: str) -> list[Path]:
        """The entries of one of the edition's folders (claims/, quotations/); none, with E213,
        when the folder is a link out of the edition."""
        folder = self.root / name
        if folder.is_symlink() or (folder.exists() and not files.within(folder.resolve(), self.roots)):
            self.problems.add(
                "E213",
                folder,
                None,
                f"the {name} folder is a link to a folder outside the edition",
                "the build reads only files inside the edition folder: replace the link by the folder itself",
            )
            return []
        return files.regular_files(folder, pattern) if folder.is_dir() else []

    def text(self, path: Path, kind: str, line: int | None = None, named_in: Path | None = None) -> str | None:
        try:
            return files.read_text(path, self.roots, kind)
        except files.Refused as refused:
            self.refused(path, refused, line, named_in)
            return None

    def refused(
        self, path: Path, refused: files.Refused, line: int | None = None, named_in: Path | None = None
    ) -> None:
        if named_in is not None and refused.line is None:
            self.problems.add(
                refused.code, named_in, line, f"'{_shown(path, self.root)}' {refused.message}", refused.hint
            )
        else:
            self.problems.add(refused.code, path, refused.line, refused.message, refused.hint)

    def yaml(self, path: Path, named_in: Path | None = None, line: int | None = None):
        """(data, ok): the YAML of a file; ok is False when it could not be read at all."""
        text = self.text(path, "yaml", line, named_in)
        if text is None:
            return None, False
        if not text.strip() or all(not l.strip() or l.lstrip().startswith("#") for l in text.splitlines()):
            self.problems.add("E111", path, 1, "the file is empty", "write its records, or remove the file")
            return None, False
        try:
            data, faults = parse_with_faults(text)
        except YamlSyntaxError as exc:
            self._syntax(path, exc)
            return None, False
        for fault in faults:
            self.problems.add(fault.code, path, fault.line, fault.message, fault.hint)
        return data, True

    def markdown(self, path: Path, fields: dict, named_in: Path | None = None, line: int | None = None):
        """A Markdown file with YAML front matter -> (LinedDict or None, faulty keys, body, body_line)."""
        text = self.text(path, "markdown", line, named_in)
        if text is None:
            return None, set(), "", 1
        front, body, body_line = split_front_matter(text)
        if front is None:
            unclosed = text.lstrip("\ufeff").startswith("---")
            self.problems.add(
                "E106",
                path,
                1,
                "the front matter is not closed by a '---' line"
                if unclosed
                else "the file must start with YAML front matter between '---' lines",
                "add '---', the keys (" + ", ".join(k for k, f in fields.items() if f.required) + "), '---'",
            )
            return None, set(), body, body_line
        try:
            data, faults = parse_with_faults(front, first_line=2)
        except YamlSyntaxError as exc:
            self._syntax(path, exc, " in front matter")
            return None, set(), body, body_line
        for fault in faults:
            self.problems.add(fault.code, path, fault.line, fault.message, fault.hint)
        if data is None:
            data = empty_mapping(1)
        faulty = schema.validate(data, fields, path, self.problems)
        if "" in faulty:
            return None, faulty, body, body_line
        return data, faulty, body, body_line

    def _syntax(self, path: Path, exc: YamlSyntaxError, where: str = "") -> None:
        column = f", column {exc.column}" if exc.column else ""
        what = "YAML syntax error" if exc.code == "E101" else "YAML refused"
        self.problems.add(
            exc.code,
            path,
            exc.line,
            f"{what}{where}{column}: {exc.message}",
            exc.hint or "check indentation, colons and quotes on this line or the one before",
        )

    def file(self, name: str, named_in: Path, line: int | None, what: str, kind: str, hint: str = "") -> Path | None:
        """A file the edition names (its cover, style, fonts, output profile): resolved inside
        the edition and checked (a regular file within the size limit of its ``kind``); else
        None, the fault reported at ``named_in``:``line`` (``hint`` when the fault has none)."""
        found = self.resolve(name, named_in, line, what)
        if found is None:
            return None
        try:
            files.check_file(found, self.roots, kind)
        except files.Refused as refused:
            self.problems.add(refused.code, named_in, line, f"{what} '{name}' {refused.message}", refused.hint or hint)
            return None
        return found

    def resolve(self, name: str, named_in: Path, line: int | None, what: str) -> Path | None:
        try:
            return files.resolve(self.root, name, self.roots, what)
        except files.Refused as refused:
            self.problems.add(refused.code, named_in, line, refused.message, refused.hint)
            return None


def _shown(path: Path, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _id_ok(value: str, path: Path, line: int, problems: Problems) -> bool:
    if ID_PATTERN.match(value):
        return True
    problems.add(
        "E105",
        path,
        line,
        f"id '{value}' is not a valid identifier",
        "use letters, digits, '-' and '_', starting with a letter (no '--')",
    )
    return False


def _md(data: LinedDict, key: str, ref: str, path: Path, inline: bool, default: str = "") -> Markdown:
    text = _text(data.get(key)) if data is not None and data.get(key) is not None else default
    line = data.value_line(key) if data is not None and key in data else (data.line if data is not None else 1)
    return Markdown(text, ref, path, line, inline)


def load_settings(reader: Reader, problems: Problems) -> tuple[Settings, LinedDict] | None:
    root = reader.root
    path = root / "edition.yaml"
    data, ok = reader.yaml(path)
    if not ok:
        return None
    faulty = schema.validate(data, schema.EDITION, path, problems)
    if "" in faulty:
        return None
    spec = schema.EDITION

    def get(key: str, within=None, where: str = "", fields=spec):
        return schema.value(within if within is not None else data, key, fields[key], faulty, where)

    isbn = data.get("isbn") if isinstance(data.get("isbn"), dict) and "isbn" not in faulty else None
    isbns = {}
    for kind in ("print", "ebook"):
        value = _text(schema.value(isbn, kind, schema.EDITION["isbn"].schema[kind], faulty, "isbn."))
        if value and not isbn13_valid(value):
            digits = value.replace("-", "").replace(" ", "")
            due = isbn13_check_digit(digits) if re.fullmatch(r"97[89]\d{10}", digits) else None
            problems.add(
                "E105",
                path,
                isbn.line_of(kind),
                f"isbn.{kind} '{value}' is not a valid ISBN-13"
                + (f": its check digit (the last) is {digits[12]}, and should be {due}" if due is not None else ""),
                "check the number against the one your ISBN agency gave: a wrong check digit is most often a "
                "digit typed wrong before it"
                if due is not None
                else "13 digits beginning 978 or 979 (hyphens allowed), the last a check digit",
            )
        isbns[kind] = value
    printing = data.get("print") if isinstance(data.get("print"), dict) and "print" not in faulty else empty_mapping()
    contents = data.get("contents") if isinstance(data.get("contents"), dict) else empty_mapping()
    slug = _text(get("slug"))
    if slug and not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", slug):
        problems.add(
            "E105",
            path,
            data.line_of("slug"),
            f"slug '{slug}' cannot name a file",
            "use letters, digits, '-', '_' and '.'",
        )
    cover = _text(get("cover"))
    if cover:
        cover_path = reader.file(
            cover,
            path,
            data.line_of("cover"),
            "cover image",
            "image",
            "give a path relative to the edition folder, e.g. images/cover.jpg",
        )
        if cover_path is not None and cover_path.suffix.lower() not in (".jpg", ".jpeg", ".png", ".svg", ".gif"):
            problems.add(
                "E105",
                path,
                data.line_of("cover"),
                f"cover image '{cover}' is not JPEG, PNG, GIF or SVG",
                "EPUB readers show these image types",
            )
        elif cover_path is not None:
            _check_cover_size(cover_path, cover, path, data.line_of("cover"), problems)
    output_profile = _output_profile(reader, path, printing, faulty, problems)
    fonts = _fonts(reader, path, printing, faulty, problems)
    language = _text(get("language"))
    if language and not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", language):
        problems.add(
            "E105",
            path,
            data.line_of("language"),
            f"language '{language}' is not a BCP 47 tag",
            "for example 'en-US', 'en-GB', 'de', 'ru'",
        )
    year = get("year")
    if year is not None and not 1400 <= year <= 2200:
        problems.add(
            "E105",
            path,
            data.line_of("year"),
            f"year {year} is not a year of publication",
            "the year the edition is published, e.g. 2026",
        )
    style = _text(get("citation_style"))
    style_path = _style(reader, style, path, data.line_of("citation_style"), problems)
    trim = _text(schema.value(printing, "trim", schema.PRINT["trim"], faulty, "print."))
    size = schema.trim_size(trim)
    if size is None:
        problems.add(
            "E105", path, printing.line_of("trim"), f"print.trim '{trim}' is not a trim size", schema.PRINT["trim"].help
        )
        size = schema.NAMED_TRIMS[schema.PRINT["trim"].default]
    assessments = {}
    # (a mapping with a faulty label keeps its other keys: the claims that use them are not faulty too)
    given = data.get("assessments") if isinstance(data.get("assessments"), dict) else get("assessments")
    for key, label in (given or {}).items():
        if not ID_PATTERN.match(str(key)):
            problems.add(
                "E105",
                path,
                data["assessments"].line_of(key),
                f"assessment key '{key}' is not an identifier",
                "use letters, digits, '-' and '_', starting with a letter; the label after the colon "
                "is what the book prints",
            )
        assessments[str(key)] = _text(label)
    access = data.get("accessibility") if isinstance(data.get("accessibility"), dict) else empty_mapping()
    access_spec = schema.EDITION["accessibility"].schema
    report = _text(schema.value(access, "report", access_spec["report"], faulty, "accessibility."))
    if report and url_fault(report):
        problems.add(
            "E105",
            path,
            access.line_of("report"),
            f"accessibility.report '{report}' {url_fault(report)}",
            "the web address of the certification report",
        )
        report = ""
    web = data.get("web") if isinstance(data.get("web"), dict) else empty_mapping()
    base_url = _text(schema.value(web, "base_url", schema.EDITION["web"].schema["base_url"], faulty, "web."))
    if base_url and url_fault(base_url):
        problems.add(
            "E105",
            path,
            web.line_of("base_url"),
            f"web.base_url '{base_url}' {url_fault(base_url)}",
            "the address the web edition is published at, such as https://press.example.org/book/",
        )
        base_url = ""
    elif base_url and not base_url.endswith("/"):
        base_url += "/"
    return Settings(
        title=_md(data, "title", "edition:title", path, True),
        subtitle=_md(data, "subtitle", "edition:subtitle", path, True),
        short_title=_md(data, "short_title", "edition:short_title", path, True),
        slug=slug,
        language=language or "en",
        editors=tuple(_text(v) for v in get("editors")),
        authors=tuple(_text(v) for v in get("authors")),
        publisher=_text(get("publisher")),
        place=_text(get("place")),
        year=year,
        edition=_text(get("edition")),
        isbn_print=isbns["print"],
        isbn_ebook=isbns["ebook"],
        rights=_text(get("rights")),
        description=_text(get("description")),
        subjects=tuple(_text(v) for v in get("subjects")),
        cover=cover,
        citation_style=style,
        style_path=style_path,
        note_numbering=_text(get("note_numbering")),
        assessments=assessments,
        print=PrintSettings(
            trim=trim,
            bleed=_text(schema.value(printing, "bleed", schema.PRINT["bleed"], faulty, "print.")),
            crop_marks=bool(schema.value(printing, "crop_marks", schema.PRINT["crop_marks"], faulty, "print.")),
            pdf_variant=_text(schema.value(printing, "pdf_variant", schema.PRINT["pdf_variant"], faulty, "print."))
            or None,
            output_profile=output_profile,
            font_size=_text(schema.value(printing, "font_size", schema.PRINT["font_size"], faulty, "print.")),
            page_width=size[0],
            page_height=size[1],
            hyphenation=_hyphenation(
                schema.value(printing, "hyphenation", schema.PRINT["hyphenation"], faulty, "print."),
                printing,
                path,
                problems,
            ),
            fonts=fonts,
            margins=_margins(printing, faulty, size, path, problems),
            typeface=_typeface(reader, path, printing, faulty, problems),
        ),
        front_files=tuple(
            _text(v) for v in schema.value(contents, "front", schema.CONTENTS["front"], faulty, "contents.")
        ),
        chapter_files=tuple(
            _text(v) for v in schema.value(contents, "chapters", schema.CONTENTS["chapters"], faulty, "contents.")
        ),
        appendix=schema.value(contents, "appendix", schema.CONTENTS["appendix"], faulty, "contents.") is not False,
        bibliography=schema.value(contents, "bibliography", schema.CONTENTS["bibliography"], faulty, "contents.")
        is not False,
        certified_by=_text(schema.value(access, "certified_by", access_spec["certified_by"], faulty, "accessibility.")),
        certifier_credential=_text(
            schema.value(access, "credential", access_spec["credential"], faulty, "accessibility.")
        ),
        certifier_report=report,
        web_base_url=base_url,
        appendix_title=_text(
            schema.value(contents, "appendix_title", schema.CONTENTS["appendix_title"], faulty, "contents.")
        ),
        bibliography_title=_text(
            schema.value(contents, "bibliography_title", schema.CONTENTS["bibliography_title"], faulty, "contents.")
        ),
        index_title=_text(schema.value(contents, "index_title", schema.CONTENTS["index_title"], faulty, "contents.")),
    ), data


def _style(reader: Reader, name: str, path: Path, line: int, problems: Problems) -> Path | None:
    """The CSL file of ``citation_style``: a style of the package by name, or a .csl file in the edition."""
    if name.lower().endswith(".csl"):
        looked = reader.root / name
        if not (looked.exists() or looked.is_symlink()) and "://" not in name and not os.path.isabs(name):
            beside = reader.root.parent / name
            problems.add(
                "E100",
                path,
                line,
                f"citation style '{name}' is not in the edition folder (looked for {problems.where(looked)})",
                f"{problems.where(beside)} is beside the edition folder: move it into {reader.root.name}/ (a style is read from "
                "the edition folder only)"
                if beside.is_file()
                else "give the .csl file's path relative to the edition folder, e.g. styles/house.csl",
            )
            return None
        return reader.file(name, path, line, "citation style", "style")
    found, hint = find_style(name)
    if found is None:
        problems.add("E305", path, line, f"citation style '{name}' is not available", hint)
    return found


def _margins(printing, faulty: set, size, path: Path, problems: Problems) -> tuple[tuple[str, str], ...]:
    """print.margins as (side, length), checked against the trim: the text block keeps at least
    half the page's width and its height (the stylesheet's margins stand for those not given)."""
    given = printing.get("margins")
    if not isinstance(given, dict) or "print.margins" in faulty:
        return ()
    found = tuple(
        (side, _text(given[side]))
        for side in ("inside", "outside", "top", "bottom")
        if given.get(side) is not None and f"print.margins.{side}" not in faulty
    )
    default = {"inside": "0.85in", "outside": "0.6in", "top": "0.75in", "bottom": "0.8in"}
    margins = {**default, **dict(found)}
    width, height = (schema.points(side) for side in size)
    for across, sides, whole in (("width", ("inside", "outside"), width), ("height", ("top", "bottom"), height)):
        left = whole - sum(schema.points(margins[side]) for side in sides)
        if left < whole / 2:
            problems.add(
                "E105",
                path,
                given.line_of(next((side for side in sides if side in given), sides[0])),
                f"print.margins leave the text {left / 72:.2f}in of the page's {whole / 72:.2f}in {across} "
                f"({sides[0]} {margins[sides[0]]}, {sides[1]} {margins[sides[1]]})",
                "the text block needs at least half the page: make the margins smaller",
            )
            return ()
    return found


FONT_SUFFIXES = (".ttf", ".otf")


# what e-reader stores ask of a cover: a portrait image about 1.6 times as high as wide (Amazon
# KDP: 2560 x 1600 px ideally, 1000 x 625 at least; Apple Books: at least 1400 px wide)
COVER_MIN_WIDTH, COVER_MIN_HEIGHT = 1400, 2100
COVER_RATIOS = (1.3, 1.7)  # height / width: 6x9 in is 1.5, KDP's ideal 1.6


def _check_cover_size(cover_path: Path, cover: str, path: Path, line: int, problems: Problems) -> None:
    """W110 for a raster cover that a store would refuse or show blurred: landscape, too small,
    or far from a book's proportions (its pixels read from its header, nothing decoded)."""
    if cover_path.suffix.lower() == ".svg":
        return
    from PIL import Image

    try:
        with Image.open(cover_path) as image:
            width, height = image.size
    except Image.DecompressionBombError:
        return  # more pixels than any store asks for (its size is the EPUB's concern, not a blur)
    except Exception:  # noqa: BLE001 - not an image Pillow reads
        problems.add(
            "E105", path, line, f"cover image '{cover}' cannot be read as an image", "export it again as JPEG or PNG"
        )
        return
    faults = []
    if width >= height:
        faults.append("it is landscape or square, and a cover is portrait")
    elif not COVER_RATIOS[0] <= height / width <= COVER_RATIOS[1]:
        faults.append(f"its height is {height / width:.2f} times its width, where a book's is 1.5 to 1.6")
    if width < COVER_MIN_WIDTH or height < COVER_MIN_HEIGHT:
        faults.append(f"it is smaller than the {COVER_MIN_WIDTH} x {COVER_MIN_HEIGHT} px stores ask for")
    if faults:
        problems.add(
            "W110",
            path,
            line,
            f"cover image '{cover}' is {width} x {height} px: " + "; ".join(faults),
            "e-reader stores ask for a portrait cover about 1.6 times as high as wide, at least 1400 px wide "
            "(Amazon KDP: 2560 x 1600 px; Apple Books: 1400 px wide or more)",
        )


def _font_file(reader: Reader, name: str, path: Path, line: int, problems: Problems) -> Path | None:
    """A font file the edition names: inside it, regular, a TrueType or OpenType font fontTools reads."""
    from folio.typefaces import font_characters

    font = reader.file(name, path, line, "font", "font")
    if font is None:
        return None
    if font.suffix.lower() not in FONT_SUFFIXES or not font_characters(font):
        problems.add(
            "E105",
            path,
            line,
            f"'{name}' is not a TrueType or OpenType font that can be read",
            "name a .ttf or .otf file (the Noto fonts cover most scripts: fonts.google.com/noto)",
        )
        return None
    return font


def _fonts(reader: Reader, path: Path, printing, faulty: set, problems: Problems) -> tuple[Path, ...]:
    """The edition's fonts for what the body face lacks (print.fonts)."""
    names = schema.value(printing, "fonts", schema.PRINT["fonts"], faulty, "print.")
    listed = printing.get("fonts") if isinstance(printing.get("fonts"), list) else []
    found: list[Path] = []
    for index, name in enumerate(list(names or ()) if isinstance(names, (list, tuple)) else [names]):
        line = listed.line_of(index) if hasattr(listed, "line_of") else printing.line_of("fonts")
        font = _font_file(reader, _text(name), path, line, problems)
        if font is not None:
            found.append(font)
    return tuple(found)


def _typeface(reader: Reader, path: Path, printing, faulty: set, problems: Problems) -> Typeface | None:
    """print.font: the edition's own body face, its regular style required."""
    from folio.typefaces import STYLES, family_name

    given = printing.get("font")
    if not isinstance(given, dict) or "print.font" in faulty:
        return None
    if not _text(given.get("regular")):
        problems.add(
            "E104",
            path,
            printing.line_of("font"),
            "'print.font.regular' is required: the upright face of the typeface",
            "name its file inside the edition, e.g. regular: fonts/EBGaramond-Regular.ttf",
        )
        return None
    found = []
    for style in STYLES:
        name = _text(given.get(style))
        if name and f"print.font.{style}" not in faulty:
            font = _font_file(reader, name, path, given.line_of(style), problems)
            if font is None:
                return None
            found.append((style, font))
    files_of = dict(found)
    from folio.typefaces import embedding_allowed

    barred = [style for style, font in found if not embedding_allowed(font)]
    if barred:
        problems.add(
            "W111",
            path,
            printing.line_of("font"),
            f"the licence flags of print.font ({', '.join(barred)}) do not allow embedding it in a book "
            "others receive: the EPUB and the web edition leave the face to the reader",
            "the PDF embeds a subset, as licences for printing allow; ask the foundry, or use a font under "
            "the SIL Open Font License",
        )
    return Typeface(
        _text(given.get("name")) or family_name(files_of["regular"]), tuple(found), _text(given.get("licence"))
    )


def _output_profile(reader: Reader, path: Path, printing, faulty: set, problems: Problems) -> Path | None:
    """The CMYK profile a PDF/X book is made for: the edition's, or the default one."""
    variant = _text(schema.value(printing, "pdf_variant", schema.PRINT["pdf_variant"], faulty, "print.")) or None
    name = _text(printing.get("output_profile"))
    if not name and not is_print_standard(variant):
        return None
    line = printing.line_of("output_profile") if name else printing.line_of("pdf_variant")
    if name:
        profile = reader.file(
            name,
            path,
            line,
            "output profile",
            "profile",
            "give the path of your printer's ICC profile relative to the edition folder, e.g. print/ISOcoated_v2.icc",
        )
        if profile is None:
            return None
    else:
        profile = default_profile()
        if profile is None:
            problems.add(
                "E107",
                path,
                line,
                f"{variant} needs a CMYK output profile: name your printer's in print.output_profile "
                "(the ICC file it gives for its paper and press), or let folio make Coated FOGRA39",
                f"folio makes Coated FOGRA39 itself, once, when it finds {PROFILE_TOOLS}",
            )
            return None
    fault = profile_fault(profile)
    if fault:
        problems.add(
            "E107",
            path,
            line,
            f"output profile {name or profile} {fault}",
            "use the CMYK profile your printer names for its paper and press (e.g. Coated FOGRA39, GRACoL2013, SWOP)",
        )
        return None
    if not is_print_standard(variant):
        problems.add(
            "W101",
            path,
            line,
            "print.output_profile is used only by a PDF/X variant",
            f"set print.pdf_variant to one of {', '.join(PRINT_STANDARDS)}, or remove output_profile",
        )
        return None
    if printing.get("crop_marks"):
        problems.add(
            "E105",
            path,
            printing.line_of("crop_marks"),
            f"crop marks cannot go into a {variant} file",
            "remove crop_marks: the printer trims at the TrimBox and adds its own marks "
            "(WeasyPrint draws them in RGB, which PDF/X forbids)",
        )
    return profile


def isbn13_check_digit(digits: str) -> int:
    """The check digit of an ISBN-13 from its first twelve digits."""
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10


def isbn13_valid(value: str) -> bool:
    digits = value.replace("-", "").replace(" ", "")
    return bool(re.fullmatch(r"97[89]\d{10}", digits)) and isbn13_check_digit(digits) == int(digits[12])


_HYPHENATED = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)+$")


def _hyphenation(words, printing, path: Path, problems: Problems) -> tuple[str, ...]:
    """print.hyphenation: each a word with a hyphen at each point it may break."""
    kept = []
    line = printing.line_of("hyphenation")
    for word in words:
        word = _text(word).strip()
        if _HYPHENATED.match(word):
            kept.append(word)
        else:
            problems.add(
                "E105",
                path,
                line,
                f"print.hyphenation '{word}' is not a word with its break points",
                "write the word with a hyphen where it may break, and nothing else: Khru-shchev",
            )
    return tuple(kept)


def _contents_path(reader: Reader, name: str, data: LinedDict, index: int, key: str) -> Path | None:
    edition_yaml = reader.root / "edition.yaml"
    line = data["contents"][key].line_of(index)
    path = reader.resolve(name, edition_yaml, line, f"contents.{key} file")
    if path is None:
        return None
    if not path.exists():
        reader.problems.add(
            "E100",
            edition_yaml,
            line,
            f"contents.{key} names '{name}', which does not exist",
            f"create {reader.root.name}/{name} or correct the name",
        )
        return None
    listed = reader.listed.setdefault(path.resolve(), (key, index, line))
    if listed != (key, index, line):
        reader.problems.add(
            "E105",
            edition_yaml,
            line,
            f"contents.{key} names '{name}' a second time (first on line {listed[2]})",
            "list each file once",
        )
        return None
    return path


def bibliography_candidates(root: Path, named: str, given: Path | None) -> list[Path]:
    """Where the bibliography may be, in order: the one asked for on the command line; the one
    edition.yaml names (relative to the edition folder); bibliography.bib (or .json, .yaml:
    CSL) beside the edition folder, then inside it."""
    if given is not None:
        return [given]
    if named:
        return [root / named]
    return [folder / f"bibliography.{suffix}" for folder in (root.parent, root) for suffix in ("bib", "json", "yaml")]


def load_edition(root: Path, bib_path: Path | None, problems: Problems) -> Edition | None:
    """Read the whole edition. Returns None when it cannot be modelled at all."""
    root = Path(os.path.abspath(root))  # (given as '.', inside the edition folder, it has a parent too)
    if not (root / "edition.yaml").exists():
        problems.add(
            "E100",
            root / "edition.yaml",
            None,
            "no edition.yaml in the edition folder",
            f"is '{root}' the edition folder? It needs edition.yaml",
        )
        return None
    reader = Reader(root, problems)
    loaded = load_settings(reader, problems)
    data = loaded[1] if loaded else None
    named = _text(data.get("bibliography")) if isinstance(data, dict) else ""
    candidates = bibliography_candidates(root, named, bib_path)
    present = [c for c in candidates if c.exists() or c.is_symlink()]
    bib = present[0] if present else None
    clash = len(present) > 1
    if clash:  # (a .bib and a CSL export side by side: which is the editor's is not ours to guess)
        problems.add(
            "E100",
            present[0],
            None,
            "there are several bibliographies, and folio will not guess which one is meant: "
            + ", ".join(str(problems.where(c)) for c in present),
            f"name the one to use in edition.yaml ('bibliography: {os.path.relpath(present[1], root)}'), "
            "or remove the others",
        )
        bib = None
    roots = list(reader.roots)
    if bib is not None and (bib_path is not None or bib.resolve().parent == root.resolve().parent):
        roots.append(bib.resolve())  # the client's bibliography.bib beside edition/, or the one asked for
    if bib is None:
        if not clash:
            where = data.line_of("bibliography") if named else None
            problems.add(
                "E100",
                root / "edition.yaml" if named else candidates[0],
                where,
                "the bibliography file is missing; looked for " + ", ".join(str(c) for c in candidates),
                "put bibliography.bib (BibTeX, e.g. exported from Zotero) beside the edition folder or in it, "
                "or name it in edition.yaml: 'bibliography: refs.bib'",
            )
        bibliography = None
    else:
        bibliography = load_bibliography(bib, problems, roots)
    if loaded is None:
        return None
    settings, data = loaded

    front: list[FrontPart] = []
    for index, name in enumerate(settings.front_files):
        path = _contents_path(reader, name, data, index, "front")
        if path is None:
            continue
        meta, faulty, body, body_line = reader.markdown(
            path, schema.FRONT, root / "edition.yaml", data["contents"]["front"].line_of(index)
        )
        if meta is not None and "id" not in faulty:
            part_id = _text(meta["id"])
            front.append(
                FrontPart(
                    part_id,
                    _md(meta, "title", f"front:{part_id}:title", path, True),
                    Markdown(body, f"front:{part_id}:body", path, body_line),
                    path,
                    body_line,
                )
            )

    claim_data, broken_claims = _load_claims(reader)

    chapters: list[Chapter] = []
    for index, name in enumerate(settings.chapter_files):
        path = _contents_path(reader, name, data, index, "chapters")
        if path is None:
            continue
        meta, faulty, body, body_line = reader.markdown(
            path, schema.CHAPTER, root / "edition.yaml", data["contents"]["chapters"].line_of(index)
        )
        if meta is None or "id" in faulty:
            continue
        chapter_id = _text(meta["id"])
        claim_ids = tuple(_text(v) for v in schema.value(meta, "claims", schema.CHAPTER["claims"], faulty))
        kind = (
            _text(meta.get("kind"))
            if "kind" not in faulty and meta.get("kind")
            else ("claims" if claim_ids else "essay")
        )
        if kind == "essay" and claim_ids:
            problems.add(
                "E105",
                path,
                meta.line_of("kind"),
                "an essay chapter cannot hold claims",
                "remove 'claims' or set kind: claims",
            )
        claim_lines = {cid: meta["claims"].line_of(i) for i, cid in enumerate(claim_ids)}
        chapters.append(
            Chapter(
                chapter_id,
                len(chapters) + 1,
                _md(meta, "title", f"chapter:{chapter_id}:title", path, True),
                kind,
                claim_ids,
                Markdown(body, f"chapter:{chapter_id}:opening", path, body_line),
                path,
                body_line,
                lines={"claims": claim_lines, "id": meta.line_of("id")},
                short_title=_md(meta, "short_title", f"chapter:{chapter_id}:short_title", path, True),
            )
        )

    claims = _number_claims(chapters, claim_data, broken_claims, problems, settings.assessments)
    quotations, broken_quotations = _load_quotations(reader)
    persons = _load_persons(reader)
    if bibliography is None:
        return None
    return Edition(
        root,
        settings,
        tuple(front),
        tuple(chapters),
        claims,
        quotations,
        tuple(persons),
        bibliography,
        known_broken=frozenset(broken_claims) | frozenset(broken_quotations),
    )


def _load_claims(reader: Reader) -> tuple[dict, set]:
    """id -> (meta, body, body_line, path), and the ids of claims whose files are faulty."""
    problems = reader.problems
    found: dict = {}
    broken: set = set()
    for path in reader.folder_files("claims", "*.md"):
        meta, faulty, body, body_line = reader.markdown(path, schema.CLAIM)
        if meta is None or "id" in faulty:
            # its front matter cannot be read: still known by the id it seems to give (or its file's
            # name), so that what lists it is not reported too (the fault is told once, in the file)
            broken.add(_id_written(reader, path))
            continue
        claim_id = _text(meta["id"])
        if claim_id in found:
            first = found[claim_id]
            problems.add(
                "E201",
                path,
                meta.line_of("id"),
                f"duplicate claim id '{claim_id}'",
                f"already used in {problems.where(first[3], first[0].line_of('id'))}; give one a new id",
            )
            continue
        if faulty:
            broken.add(claim_id)
            continue
        passage = meta["passage"]
        if passage.get("page") and not passage.get("source"):
            problems.add(
                "E104",
                path,
                passage.line_of("page"),
                "passage.page is given without passage.source",
                "add the citation key of the edition of the examined text",
            )
        found[claim_id] = (meta, body, body_line, path)
    return found, broken


def _id_written(reader: Reader, path: Path) -> str:
    """The id a file's front matter seems to give ('id: first'), read as text; else its name."""
    try:
        text = files.read_text(path, reader.roots, "markdown")
    except files.Refused:
        return path.stem
    front = split_front_matter(text)[0] or ""
    found = re.search(r"^id:[ \t]*[\"']?([A-Za-z0-9][\w-]*)", front, re.M)
    return found.group(1) if found else path.stem


_RANGE = re.compile(r"^\s*([0-9]+)\s*(?:-|–|--|to)\s*([0-9]+)\s*$")


def _claim_numbers(meta, path: Path, problems: Problems) -> tuple[int | None, int]:
    """(first, last) of a claim's 'number': None for automatic; last 0 for a single number."""
    value = meta.get("number")
    if value is None:
        return None, 0
    if isinstance(value, int):
        if value < 1:
            problems.add("E105", path, meta.line_of("number"), f"claim number {value} is not a positive number")
            return None, 0
        return value, 0
    match = _RANGE.match(str(value))
    if not match or int(match.group(1)) < 1 or int(match.group(2)) <= int(match.group(1)):
        problems.add(
            "E105",
            path,
            meta.line_of("number"),
            f"claim number '{value}' is neither a number nor a range",
            "a whole number, e.g. 7, or a range of numbers the claim covers, e.g. 21-24",
        )
        return None, 0
    return int(match.group(1)), int(match.group(2))


def _number_claims(
    chapters: list[Chapter], claim_data: dict, broken: set, problems: Problems, assessments: dict | None = None
) -> dict:
    """Claims in book order, numbered automatically where no number is given."""
    claims: dict[str, Claim] = {}
    placed: dict[str, Chapter] = {}
    numbers: dict[int, str] = {}
    next_number = 1
    for chapter in chapters:
        for claim_id in chapter.claim_ids:
            line = chapter.lines["claims"].get(claim_id)
            if claim_id in broken:
                continue  # its file's faults are reported
            if claim_id not in claim_data:
                problems.add(
                    "E202",
                    chapter.path,
                    line,
                    f"chapter '{chapter.id}' lists unknown claim '{claim_id}'",
                    did_you_mean(claim_id, claim_data) or "each claim is a file in edition/claims/ with this id",
                )
                continue
            if claim_id in placed:
                problems.add(
                    "E207",
                    chapter.path,
                    line,
                    f"claim '{claim_id}' is already placed in chapter '{placed[claim_id].id}'",
                    "list each claim in one chapter only",
                )
                continue
            placed[claim_id] = chapter
            meta, body, body_line, path = claim_data[claim_id]
            first, last = _claim_numbers(meta, path, problems)
            number = first or next_number
            for n in range(number, max(number, last) + 1):
                if n in numbers:
                    problems.add(
                        "E210",
                        path,
                        meta.line_of("number", meta.line_of("id")),
                        f"claim number {n} is also claim '{numbers[n]}'",
                        "remove 'number' to number claims automatically",
                    )
                    break
            for n in range(number, max(number, last) + 1):
                numbers.setdefault(n, claim_id)
            next_number = max(number, last) + 1
            passage = meta["passage"]
            ref = f"claim:{claim_id}"
            source = None
            if passage.get("source"):
                source = Source(
                    _text(passage.get("source")),
                    _text(passage.get("page")),
                    f"{ref}:passage-source",
                    path,
                    passage.line_of("source"),
                )
            claims[claim_id] = Claim(
                id=claim_id,
                number=number,
                title=_md(meta, "title", f"{ref}:title", path, True),
                passage=Passage(
                    _md(passage, "text", f"{ref}:passage", path, False),
                    _md(passage, "locator", f"{ref}:locator", path, True),
                    source,
                ),
                assessment=_text(meta["assessment"]),
                quotation_ids=tuple(_text(v) for v in meta.get("quotations") or ()),
                analysis=Markdown(body, f"{ref}:analysis", path, body_line),
                path=path,
                line=meta.line_of("id"),
                analysis_line=body_line,
                chapter_id=chapter.id,
                lines={
                    "assessment": meta.line_of("assessment"),
                    "quotations": meta["quotations"].item_lines if meta.get("quotations") else [],
                    "passage_source": passage.line_of("source"),
                },
                last_number=last,
            )
    for claim_id, (meta, _body, _line, path) in claim_data.items():
        if claim_id not in placed:
            problems.add(
                "E206",
                path,
                meta.line_of("id"),
                f"claim '{claim_id}' is in no chapter",
                "add its id to the 'claims' list of a chapter",
            )
            # (the claim is left out of the book, but what else is wrong in it is told now, not later)
            assessment = str(meta.get("assessment") or "")
            if assessments and assessment and assessment not in assessments:
                problems.add(
                    "E205",
                    path,
                    meta.line_of("assessment"),
                    f"assessment '{assessment}' is not in the edition's vocabulary",
                    did_you_mean(assessment, assessments)
                    or f"use one of: {', '.join(assessments)} (edition.yaml, 'assessments')",
                )
    return claims


_SCHEMES = ("http", "https")


def url_fault(url: str) -> str:
    """Why ``url`` cannot be printed as a link to a document, or ''."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a URL"
    if parts.scheme.lower() not in _SCHEMES:
        return f"uses '{parts.scheme or 'no'}' scheme; a document's address starts with https:// or http://"
    if not parts.netloc or any(c.isspace() for c in url):
        return "has no host, or holds spaces"
    return ""


_ID_LINE = re.compile(r"^[ \t]*(?:-[ \t]+)?id:[ \t]*[\"']?([\w.-]+)", re.M)


def _ids_in_faulty_yaml(path: Path, roots: list[Path]) -> set[str]:
    """The ids a YAML file that could not be read seems to define (its 'id:' lines)."""
    try:
        return set(_ID_LINE.findall(files.read_text(path, roots, "yaml")))
    except (files.Refused, OSError, UnicodeError, ValueError):
        return set()


def _load_quotations(reader: Reader) -> tuple[dict, set]:
    problems = reader.problems
    quotations: dict[str, Quotation] = {}
    broken: set = set()
    for path in reader.folder_files("quotations", "*.yaml"):
        data, ok = reader.yaml(path)
        if not ok:
            broken |= _ids_in_faulty_yaml(path, reader.roots)  # (its fault is reported; not each claim naming them)
            continue
        if not isinstance(data, list):
            problems.add(
                "E102",
                path,
                getattr(data, "line", 1),
                "a quotations file holds a list of records",
                "start each record with '- id: ...'",
            )
            continue
        for index, record in enumerate(data):
            faulty = schema.validate(record, schema.QUOTATION, path, problems, where=f"[{index}].")
            if f"[{index}]." in faulty or f"[{index}].id" in faulty:
                continue
            qid = _text(record["id"])
            if qid in quotations:
                first = quotations[qid]
                problems.add(
                    "E201",
                    path,
                    record.line_of("id"),
                    f"duplicate quotation id '{qid}'",
                    f"already used at {problems.where(first.path, first.line)}",
                )
                continue
            if faulty:
                broken.add(qid)
                continue
            url = _text(record.get("url"))
            if url and url_fault(url):
                problems.add(
                    "E105",
                    path,
                    record.line_of("url"),
                    f"url '{url[:80]}' {url_fault(url)}",
                    "give the document's web address, e.g. https://example.org/doc/12",
                )
            claim_ids = tuple(_text(v) for v in schema.as_list(record["claims"]))
            ref = f"quotation:{qid}"
            quotation = Quotation(
                id=qid,
                claim_ids=claim_ids,
                heading=_md(record, "heading", f"{ref}:heading", path, True),
                text=_md(record, "text", f"{ref}:text", path, False),
                source=Source(
                    _text(record["source"]),
                    _text(record.get("locator")),
                    f"{ref}:source",
                    path,
                    record.line_of("source"),
                ),
                date=_md(record, "date", f"{ref}:date", path, True),
                translation_note=_md(record, "translation_note", f"{ref}:translation-note", path, True),
                url=url,
                path=path,
                line=record.line_of("id"),
                lines={
                    "claims": record.line_of("claims"),
                    "source": record.line_of("source"),
                    "text": record.value_line("text"),
                },
            )
            quotations[qid] = quotation
    return quotations, broken


def _load_persons(reader: Reader) -> list[Person]:
    problems = reader.problems
    path = reader.root / "persons.yaml"
    if not (path.exists() or path.is_symlink()):
        return []
    data, ok = reader.yaml(path)
    if not ok:
        return []
    if not isinstance(data, list):
        problems.add(
            "E102",
            path,
            getattr(data, "line", 1),
            "persons.yaml holds a list of persons",
            "start each person with '- name: ...'",
        )
        return []
    persons: list[Person] = []
    seen: dict[str, int] = {}
    keys: dict[str, int] = {}
    for index, record in enumerate(data):
        faulty = schema.validate(record, schema.PERSON, path, problems, where=f"[{index}].")
        if faulty:
            continue
        name = _text(record["name"])
        if name in seen:
            problems.add(
                "E201",
                path,
                record.line_of("name"),
                f"duplicate person '{name}'",
                f"already listed on line {seen[name]}; merge the variants into one record, or give "
                "homonyms their dates or forenames",
            )
            continue
        seen[name] = record.line_of("name")
        key = _text(record.get("key")) or ids.person_key(name)
        if key in keys:
            problems.add(
                "E201",
                path,
                record.line_of("key", record.line_of("name")),
                f"person key '{key}' is also the key of the person on line {keys[key]}",
                "give each person a key of their own: key: zhukov-iurii",
            )
            continue
        keys[key] = record.line_of("name")
        variants = tuple(_text(v) for v in record.get("variants") or ())
        if any(not v.strip() for v in variants):
            problems.add(
                "E105",
                path,
                record.line_of("variants", record.line_of("name")),
                f"a variant of {name} is empty",
                "remove the empty entry from 'variants' (each is a form of the name the text uses)",
            )
            variants = tuple(v for v in variants if v.strip())
        subentries = tuple(
            (_text(s["label"]), tuple(_text(c) for c in s["claims"])) for s in record.get("subentries") or ()
        )
        persons.append(
            Person(
                name,
                key,
                variants,
                _text(record.get("dates")),
                path,
                record.line_of("name"),
                subentries,
                lines={"subentries": record.line_of("subentries")},
            )
        )
    return persons
