"""edition.yaml read into ``model.Settings``: every value as ``schema`` declares it, with the
files it names (cover, citation style, fonts, typeface, output profile) resolved and checked."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

from folio.edition import schema
from folio.edition.model import (
    PressSettings,
    PrintSettings,
    Settings,
    Typeface,
)
from folio.edition.output_intent import (
    PRINT_STANDARDS,
    default_profile,
    is_print_standard,
    profile_fault,
)
from folio.edition.reader import ID_PATTERN, Reader, markdown_field, text_of, url_fault
from folio.edition.styles import find_style
from folio.edition.yamlfile import LinedDict, empty_mapping
from folio.problems import Problems
from folio.typefaces import STYLES, embedding_allowed, family_name, font_characters


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
        value = text_of(schema.value(isbn, kind, schema.EDITION["isbn"].schema[kind], faulty, "isbn."))
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
    if isbns["print"] and isbns["print"].replace("-", "") == isbns["ebook"].replace("-", ""):
        problems.add(
            "E105",
            path,
            isbn.line_of("ebook"),
            f"isbn.ebook '{isbns['ebook']}' is the print book's ISBN",
            "every format has its own ISBN: give the EPUB the one your agency assigned to it",
        )
    printing = data.get("print") if isinstance(data.get("print"), dict) and "print" not in faulty else empty_mapping()
    contents = data.get("contents") if isinstance(data.get("contents"), dict) else empty_mapping()
    slug = text_of(get("slug"))
    if slug and not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", slug):
        problems.add(
            "E105",
            path,
            data.line_of("slug"),
            f"slug '{slug}' cannot name a file",
            "use letters, digits, '-', '_' and '.'",
        )
    cover = text_of(get("cover"))
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
    language = text_of(get("language"))
    if language and not schema.LANGUAGE_TAG.match(language):
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
    style = text_of(get("citation_style"))
    style_path = _style(reader, style, path, data.line_of("citation_style"), problems)
    trim = text_of(schema.value(printing, "trim", schema.PRINT["trim"], faulty, "print."))
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
        assessments[str(key)] = text_of(label)
    access = data.get("accessibility") if isinstance(data.get("accessibility"), dict) else empty_mapping()
    access_spec = schema.EDITION["accessibility"].schema
    report = text_of(schema.value(access, "report", access_spec["report"], faulty, "accessibility."))
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
    base_url = text_of(schema.value(web, "base_url", schema.EDITION["web"].schema["base_url"], faulty, "web."))
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
        title=markdown_field(data, "title", "edition:title", path, True),
        subtitle=markdown_field(data, "subtitle", "edition:subtitle", path, True),
        short_title=markdown_field(data, "short_title", "edition:short_title", path, True),
        slug=slug,
        language=language or "en",
        editors=tuple(text_of(v) for v in get("editors")),
        authors=tuple(text_of(v) for v in get("authors")),
        publisher=text_of(get("publisher")),
        place=text_of(get("place")),
        year=year,
        edition=text_of(get("edition")),
        isbn_print=isbns["print"],
        isbn_ebook=isbns["ebook"],
        rights=text_of(get("rights")),
        description=text_of(get("description")),
        subjects=tuple(text_of(v) for v in get("subjects")),
        cover=cover,
        citation_style=style,
        style_path=style_path,
        note_numbering=text_of(get("note_numbering")),
        assessments=assessments,
        print=PrintSettings(
            trim=trim,
            bleed=text_of(schema.value(printing, "bleed", schema.PRINT["bleed"], faulty, "print.")),
            crop_marks=bool(schema.value(printing, "crop_marks", schema.PRINT["crop_marks"], faulty, "print.")),
            pdf_variant=text_of(schema.value(printing, "pdf_variant", schema.PRINT["pdf_variant"], faulty, "print."))
            or None,
            output_profile=output_profile,
            font_size=text_of(schema.value(printing, "font_size", schema.PRINT["font_size"], faulty, "print.")),
            line_breaking=text_of(
                schema.value(printing, "line_breaking", schema.PRINT["line_breaking"], faulty, "print.")
            ),
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
            text_of(v) for v in schema.value(contents, "front", schema.CONTENTS["front"], faulty, "contents.")
        ),
        chapter_files=tuple(
            text_of(v) for v in schema.value(contents, "chapters", schema.CONTENTS["chapters"], faulty, "contents.")
        ),
        appendix=schema.value(contents, "appendix", schema.CONTENTS["appendix"], faulty, "contents.") is not False,
        bibliography=schema.value(contents, "bibliography", schema.CONTENTS["bibliography"], faulty, "contents.")
        is not False,
        certified_by=text_of(
            schema.value(access, "certified_by", access_spec["certified_by"], faulty, "accessibility.")
        ),
        certifier_credential=text_of(
            schema.value(access, "credential", access_spec["credential"], faulty, "accessibility.")
        ),
        certifier_report=report,
        web_base_url=base_url,
        appendix_title=text_of(
            schema.value(contents, "appendix_title", schema.CONTENTS["appendix_title"], faulty, "contents.")
        ),
        bibliography_title=text_of(
            schema.value(contents, "bibliography_title", schema.CONTENTS["bibliography_title"], faulty, "contents.")
        ),
        index_title=text_of(schema.value(contents, "index_title", schema.CONTENTS["index_title"], faulty, "contents.")),
        text_file=text_of(schema.value(contents, "text", schema.CONTENTS["text"], faulty, "contents.")),
        text_place=text_of(schema.value(contents, "text_place", schema.CONTENTS["text_place"], faulty, "contents.")),
        press=_press(data, faulty, path, problems),
    ), data


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_THEMA = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,7}$")
_BISAC = re.compile(r"^[A-Z]{3}\d{6}$")


def _press(data, faulty: set[str], path: Path, problems: Problems) -> PressSettings:
    """press: in edition.yaml, each value checked where it can be wrong."""
    press = data.get("press") if isinstance(data.get("press"), dict) and "press" not in faulty else empty_mapping()
    spec = schema.PRESS

    def get(key: str):
        return schema.value(press, key, spec[key], faulty, "press.")

    def fault(key: str, message: str, hint: str) -> None:
        problems.add("E105", path, press.line_of(key), f"press.{key} {message}", hint)

    price = text_of(get("price_code"))
    if price and not re.fullmatch(r"\d{5}", price):
        fault("price_code", f"'{price}' is not 5 digits", "the currency digit then the price: '51995' is US$19.95")
    date = text_of(get("publication_date"))
    if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        fault("publication_date", f"'{date}' is not a date as YYYY-MM-DD", "e.g. 2026-03-15")
    elif date:
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            fault("publication_date", f"'{date}' is not a day of the calendar", "e.g. 2026-03-15")
    doi = text_of(get("doi"))
    if doi and not _DOI.match(doi):
        fault("doi", f"'{doi}' is not a DOI", "a prefix and a suffix: 10.5555/secret-speech (no https://doi.org/)")
    chapter_doi = text_of(get("chapter_doi"))
    if chapter_doi and ("{id}" not in chapter_doi or not _DOI.match(chapter_doi.replace("{id}", "x"))):
        fault(
            "chapter_doi",
            f"'{chapter_doi}' is not a DOI pattern with {{id}}",
            "e.g. 10.5555/secret-speech.{id}: {id} becomes each chapter's id",
        )
    email = text_of(get("depositor_email"))
    if email and not _EMAIL.match(email):
        fault("depositor_email", f"'{email}' is not an e-mail address", "the address Crossref writes to")
    codes = {}
    for key, pattern, hint in (
        ("thema", _THEMA, "Thema codes such as NHD or DNT (letters and digits, from the Thema list)"),
        ("bisac", _BISAC, "BISAC codes such as HIS032000: three letters and six digits"),
    ):
        codes[key] = tuple(text_of(v) for v in get(key))
        for code in codes[key]:
            if not pattern.match(code):
                fault(key, f"'{code}' is not a {key.upper() if key == 'bisac' else 'Thema'} code", hint)
    return PressSettings(
        printer=text_of(get("printer")),
        paper=text_of(get("paper")),
        binding=text_of(get("binding")),
        spine_width=text_of(get("spine_width")),
        price_code=price,
        publication_date=date,
        thema=codes["thema"],
        bisac=codes["bisac"],
        doi=doi,
        chapter_doi=chapter_doi,
        depositor=text_of(get("depositor")),
        depositor_email=email,
        cover_back=text_of(get("cover_back")),
    )


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
        (side, text_of(given[side]))
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
    for index, name in enumerate(names or ()):  # (a list: the schema refused anything else)
        line = listed.line_of(index) if hasattr(listed, "line_of") else printing.line_of("fonts")
        font = _font_file(reader, text_of(name), path, line, problems)
        if font is not None:
            found.append(font)
    return tuple(found)


def _typeface(reader: Reader, path: Path, printing, faulty: set, problems: Problems) -> Typeface | None:
    """print.font: the edition's own body face, its regular style required."""
    given = printing.get("font")
    if not isinstance(given, dict) or "print.font" in faulty:
        return None
    if not text_of(given.get("regular")):
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
        name = text_of(given.get(style))
        if name and f"print.font.{style}" not in faulty:
            font = _font_file(reader, name, path, given.line_of(style), problems)
            if font is None:
                return None
            found.append((style, font))
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
        text_of(given.get("name")) or family_name(dict(found)["regular"]), tuple(found), text_of(given.get("licence"))
    )


def _output_profile(reader: Reader, path: Path, printing, faulty: set, problems: Problems) -> Path | None:
    """The CMYK profile a PDF/X book is made for: the edition's, or the default one."""
    variant = text_of(schema.value(printing, "pdf_variant", schema.PRINT["pdf_variant"], faulty, "print.")) or None
    name = text_of(printing.get("output_profile"))
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
        try:
            profile = default_profile()
        except OSError as error:
            problems.add(
                "E107",
                path,
                line,
                f"{variant} needs a CMYK output profile, and folio could not keep its Coated FOGRA39 in "
                f"{error.filename or 'the data folder'} ({error.strerror or error})",
                "name your printer's ICC profile in print.output_profile, or set XDG_DATA_HOME to a folder "
                "you can write to",
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
        word = text_of(word).strip()
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
