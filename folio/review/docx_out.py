"""The review document (``folio export docx``): the edition's editorial text in reading order as
WordprocessingML, written here rather than by Pandoc so that what Word shows is character for
character what ``units`` reads from the files (no smart quotes, no re-wrapping).

- Each unit is a paragraph (a heading in Word's heading style, a passage or quotation in
  'Quote', a note's paragraph inside its Word footnote) holding a bookmark named by
  ``Unit.marker``: the file, the unit's place in it and a digest of the text exported.
- Citations stand as written (``[@key, 12]``) in the character style 'Citation'; the note calls
  are Word footnote references. What is not in a file (the book's title line, the labels that
  name each file, a claim's number and assessment) is in the paragraph style 'Folio Label' with
  a marker of its own, and is not carried back.
- Revisions are tracked from the first edit (``w:trackRevisions``), as a copy-editor expects."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from folio.edition.model import Edition
from folio.review.units import NOTE, ReviewFile, Unit, digest

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARAGRAPH_STYLE = {
    "title": "Title",
    "heading1": "Heading1",
    "heading2": "Heading2",
    "heading3": "Heading3",
    "heading4": "Heading4",
    "heading5": "Heading4",
    "heading6": "Heading4",
    "paragraph": "BodyText",
    "item": "ListParagraph",
    "passage": "Quote",
    "quotation": "Quote",
    "note": "FootnoteText",
}
LABEL_STYLE = "FolioLabel"
FIXED_PREFIX = "folio_x_"


def _clean(text: str) -> str:
    """Text as XML 1.0 can hold it (a control character would make the document unreadable)."""
    return "".join(ch if ch >= " " or ch == "\t" else "\ufffd" for ch in text)


def _run(text: str, style: str = "") -> str:
    props = []
    if style == "cite":
        props.append('<w:rStyle w:val="Citation"/>')
    if "b" in style and style != "cite":
        props.append("<w:b/><w:bCs/>")
    if "i" in style and style != "cite":
        props.append("<w:i/><w:iCs/>")
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(_clean(text))}</w:t></w:r>'


class _Writer:
    def __init__(self) -> None:
        self.body: list[str] = []
        self.footnotes: list[str] = []
        self.bookmark = 0
        self.fixed = 0
        self.note_id = 0

    def marked(self, style: str, marker: str, inner: str) -> str:
        self.bookmark += 1
        n = self.bookmark
        return (
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
            f'<w:bookmarkStart w:id="{n}" w:name={quoteattr(marker)}/>{inner}<w:bookmarkEnd w:id="{n}"/></w:p>'
        )

    def label(self, text: str, into: list[str] | None = None) -> None:
        self.fixed += 1
        paragraph = self.marked(LABEL_STYLE, f"{FIXED_PREFIX}{self.fixed}_{digest(text)}", _run(text))
        (self.body if into is None else into).append(paragraph)

    def unit(self, unit: Unit, notes: dict[str, list[Unit]], called: set[str], into: list[str] | None = None) -> None:
        inner = []
        for run in unit.runs:
            if run.style == "note":
                inner.append(self._note(run.label, notes, called))
            else:
                inner.append(_run(run.text, run.style))
        (self.body if into is None else into).append(
            self.marked(PARAGRAPH_STYLE.get(unit.kind, "BodyText"), unit.marker, "".join(inner))
        )

    def _note(self, label: str, notes: dict[str, list[Unit]], called: set[str]) -> str:
        self.note_id += 1
        n = self.note_id
        paragraphs: list[str] = []
        if label in notes and label not in called:
            called.add(label)
            for unit in notes[label]:
                self.unit(unit, notes, called, paragraphs)
        else:  # a note called again, or one not defined: nothing of it to review here
            text = f"(note {label}: see its first call)" if label in called else f"(note {label} is not defined)"
            self.label(text, paragraphs)
        ref = '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>' + _run(" ")
        first = paragraphs[0]
        head = first.index("</w:pPr>") + len("</w:pPr>")
        paragraphs[0] = first[:head] + ref + first[head:]
        self.footnotes.append(f'<w:footnote w:id="{n}">{"".join(paragraphs)}</w:footnote>')
        return f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="{n}"/></w:r>'


def _file_label(edition: Edition, file: ReviewFile) -> str:
    shown = file.path.relative_to(edition.root).as_posix()
    if file.role == "claim":
        claim = edition.claims[file.ident]
        return f"Claim {claim.number} ({shown}) · assessment: {edition.assessment_label(claim)}"
    if file.role == "quotations":
        return f"Appendix quotations ({shown})"
    return f"{'Front matter' if file.role == 'front' else 'Chapter'} ({shown})"


def document_parts(edition: Edition, files: list[ReviewFile]) -> dict[str, str]:
    writer = _Writer()
    writer.body.append(
        writer.marked("Title", f"{FIXED_PREFIX}0_{digest(edition.settings.title)}", _run(edition.settings.title))
    )
    writer.label(
        "A review copy made by folio: edit the text with Track Changes on and add comments; the grey "
        "labels, the citations in brackets and the note numbers are not to be changed."
    )
    for file in files:
        writer.label(_file_label(edition, file))
        notes: dict[str, list[Unit]] = {}
        for unit in file.units:
            if unit.kind == "note":
                notes.setdefault(unit.label, []).append(unit)
        called: set[str] = set()
        for unit in file.units:
            if unit.kind != "note":
                writer.unit(unit, notes, called)
        left = [label for label in notes if label not in called]
        if left:
            writer.label("Notes defined in this file but not called in the text above:")
            for label in left:
                for unit in notes[label]:
                    writer.unit(unit, notes, called)
    namespaces = f'xmlns:w="{W}" xmlns:r="{R}"'
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {namespaces}><w:body>'
        + "".join(writer.body)
        + '<w:sectPr><w:footnotePr><w:numRestart w:val="continuous"/></w:footnotePr>'
        '<w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" '
        'w:header="720" w:footer="720" w:gutter="0"/></w:sectPr></w:body></w:document>'
    )
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes {namespaces}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        "</w:footnote>" + "".join(writer.footnotes) + "</w:footnotes>"
    )
    return {"word/document.xml": document, "word/footnotes.xml": footnotes}


def _styles(language: str) -> str:
    def para(style_id, name, props="", rprops="", based="Normal", extra=""):
        return (
            f'<w:style w:type="paragraph" w:styleId="{style_id}"><w:name w:val="{name}"/>'
            f'<w:basedOn w:val="{based}"/><w:next w:val="BodyText"/>{extra}<w:qFormat/>'
            f"<w:pPr>{props}</w:pPr><w:rPr>{rprops}</w:rPr></w:style>"
        )

    heading = lambda n, size: para(  # noqa: E731
        f"Heading{n}",
        f"heading {n}",
        f'<w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="{n - 1}"/>',
        f'<w:b/><w:sz w:val="{size}"/>',
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles xmlns:w="{W}">'
        f'<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Cambria" w:hAnsi="Cambria" w:cs="Cambria"/>'
        f'<w:sz w:val="24"/><w:lang w:val="{escape(language)}"/></w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="300" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
        "</w:docDefaults>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
        + para("BodyText", "Body Text")
        + para("Title", "Title", '<w:spacing w:after="240"/>', '<w:b/><w:sz w:val="40"/>')
        + heading(1, 32)
        + heading(2, 28)
        + heading(3, 24)
        + heading(4, 24)
        + para("Quote", "Quote", '<w:ind w:left="720" w:right="720"/>')
        + para("ListParagraph", "List Paragraph", '<w:ind w:left="720" w:hanging="360"/>')
        + para(
            "FootnoteText",
            "footnote text",
            '<w:spacing w:after="60" w:line="240" w:lineRule="auto"/>',
            '<w:sz w:val="20"/>',
        )
        + para(
            "FolioLabel",
            "Folio Label",
            '<w:keepNext/><w:spacing w:before="240" w:after="60"/>',
            '<w:i/><w:color w:val="767676"/><w:sz w:val="18"/>',
        )
        + '<w:style w:type="character" w:styleId="FootnoteReference"><w:name w:val="footnote reference"/>'
        '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'
        '<w:style w:type="character" w:styleId="Citation"><w:name w:val="Citation"/>'
        '<w:rPr><w:color w:val="1F5F8B"/></w:rPr></w:style>'
        "</w:styles>"
    )


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/settings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/footnotes.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    "</Relationships>"
)
DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{R}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{R}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rId3" Type="{R}/footnotes" Target="footnotes.xml"/>'
    "</Relationships>"
)
SETTINGS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:settings xmlns:w="{W}">'
    "<w:trackRevisions/>"
    '<w:defaultTabStop w:val="720"/>'
    '<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
    '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" '
    'w:val="15"/></w:compat>'
    "</w:settings>"
)


def _core(edition: Edition) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(_clean(edition.settings.title))} (review copy)</dc:title>"
        f"<dc:language>{escape(edition.settings.language)}</dc:language><dc:creator>folio</dc:creator>"
        "</cp:coreProperties>"
    )


def write_docx(edition: Edition, files: list[ReviewFile], target: Path) -> None:
    """The review document at ``target``, written whole to a temporary file and then moved."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "docProps/core.xml": _core(edition),
        "word/_rels/document.xml.rels": DOCUMENT_RELS,
        "word/styles.xml": _styles(edition.settings.language),
        "word/settings.xml": SETTINGS,
        **document_parts(edition, files),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():  # [Content_Types].xml first, fixed times: the same bytes each time
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, content.encode("utf-8"))
    partial.replace(target)


__all__ = ["write_docx", "FIXED_PREFIX", "NOTE"]
