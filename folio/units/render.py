"""Stage 3: render the edition into the frames of its Pandoc units with Jinja2.

A unit is one chapter, one front-matter part, the appendix or the
bibliography. Each unit goes through Pandoc on its own, so citations are
full at their first occurrence in each chapter and short afterwards.

The templates are files an editor can read and override. They run in Jinja's
sandbox, with the model as their only data. In a Markdown template, every value
is written as Markdown that reads back as the same text (``fragments.escape``),
and every piece of the editor's own Markdown (a ``model.Markdown``) as a
placeholder that ``splice.Splicer`` fills with that piece as Pandoc read it
on its own: nothing an editor types can change the frame around it. In an HTML
or SVG template, values are HTML-escaped; the editor's Markdown is written as
the HTML Pandoc made of it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import jinja2
import markupsafe
from jinja2.sandbox import SandboxedEnvironment

from folio import ids
from folio.edition import files
from folio.edition.model import Edition, Markdown, Source
from folio.units.fragments import escape
from folio.units.splice import safe_url


@dataclass(frozen=True)
class Unit:
    id: str  # "front-introduction", "chapter-cult", "appendix", "bibliography"
    kind: str  # "front", "chapter", "appendix", "bibliography"
    title: str
    markdown: str  # the frame, with placeholders for the editor's fragments
    source: Path | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.markdown.encode()).hexdigest()[:16]


class TemplateProblem(Exception):
    """A fault in a template: its file and line, in the editor's words."""

    def __init__(self, path: str, line: int | None, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.path, self.line, self.message, self.hint = path, line, message, hint


class ConfinedLoader(jinja2.BaseLoader):
    """Templates from a list of folders, first match wins; a template (or an include) is read
    only when it is a regular file inside its folder, within the size limit."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = [Path(f) for f in folders]

    def get_source(self, environment, template):
        parts = template.replace("\\", "/").split("/")
        if template.startswith("/") or any(part in ("", ".", "..") for part in parts):
            raise jinja2.TemplateNotFound(template, f"'{template}' is not a template name (no '..', no absolute path)")
        for folder in self.folders:
            path = folder.joinpath(*parts)
            if not (path.exists() or path.is_symlink()):
                continue
            try:
                text = files.read_text(path, [folder.resolve()], "template")
            except files.Refused as refused:
                raise jinja2.TemplateNotFound(template, f"{path}: {refused.message}") from None
            mtime = os.path.getmtime(path)
            return text, str(path), lambda: os.path.exists(path) and os.path.getmtime(path) == mtime
        raise jinja2.TemplateNotFound(template)

    def list_templates(self):
        found = set()
        for folder in self.folders:
            if folder.is_dir():
                found |= {p.name for p in folder.iterdir() if p.name.endswith(".j2")}
        return sorted(found)


def _placeholder(value: Markdown) -> markupsafe.Markup:
    if value.inline:
        return markupsafe.Markup(f'[]{{.folio-fragment ref="{value.ref}"}}')
    return markupsafe.Markup(f'\n\n::: {{.folio-fragment ref="{value.ref}"}}\n:::\n\n')


def _markdown_value(value):
    """How a value is written into a Markdown template."""
    if isinstance(value, markupsafe.Markup):
        return value
    if isinstance(value, Markdown):
        if not str(value).strip():
            return markupsafe.Markup("")
        return _placeholder(value)
    if isinstance(value, Source):
        return markupsafe.Markup(f'[]{{.folio-fragment ref="{value.ref}"}}') if value.ref else ""
    if value is None:
        return ""
    return markupsafe.Markup(escape(str(value)))


def _blockquote(value, tail=None):
    """A block fragment set as a block quotation; ``tail`` (a citation) ends its last paragraph."""
    if not isinstance(value, Markdown) or not str(value).strip():
        return markupsafe.Markup("")
    extra = f' tail="{tail.ref}"' if isinstance(tail, (Source, Markdown)) and tail.ref else ""
    return markupsafe.Markup(f'\n\n::: {{.folio-fragment .folio-quote ref="{value.ref}"{extra}}}\n:::\n\n')


def _link(url) -> markupsafe.Markup:
    """A web address as a Markdown link showing the address."""
    safe = safe_url(str(url or ""))
    if safe is None:
        return markupsafe.Markup(escape(str(url or "")))
    return markupsafe.Markup(f"[{escape(str(url))}](<{safe}>)")


def _attribute(value) -> markupsafe.Markup:
    """A value inside a quoted Pandoc attribute ("..."), as plain text."""
    text = " ".join(str(value or "").split())
    return markupsafe.Markup(text.replace("\\", "\\\\").replace('"', '\\"'))


def _toc_entry(title, href: str) -> markupsafe.Markup:
    """A contents entry: its title, and its last word held with the leader and the page number,
    so that the number never stands on a line of its own with the dots alone on the next."""
    text = str(markupsafe.escape(title)) if not isinstance(title, markupsafe.Markup) else str(title)
    cut = -1
    depth = 0
    for index, char in enumerate(text):
        if char == "<":
            depth += 1
        elif char == ">":
            depth -= 1
        elif char == " " and depth == 0:
            cut = index
    tail = text[cut + 1 :]
    if "<" in tail or ">" in tail:
        head, tail = text, ""
    else:
        head = text[: cut + 1]
    page = f'<span class="toc-page" data-href="{markupsafe.escape(href)}"></span>'
    return markupsafe.Markup(f'{head}<span class="toc-tail">{tail}{page}</span>')


class Templates:
    """The template folders as two sandboxed environments: Markdown templates (.md.j2) and
    HTML or SVG templates; ``get_template`` picks by the name."""

    def __init__(self, template_dirs: list[Path]) -> None:
        loader = ConfinedLoader(template_dirs)
        common = dict(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        self.markdown = SandboxedEnvironment(autoescape=False, finalize=_markdown_value, **common)
        self.markdown.filters["blockquote"] = _blockquote
        self.markdown.filters["link"] = _link
        self.markdown.filters["md"] = lambda value: _markdown_value(value)
        self.markdown.filters["attr"] = _attribute
        self.html_of: dict[str, str] = {}  # a Markdown fragment's ref -> its HTML (set by the build)
        self.plain_of: dict[str, str] = {}  # a Markdown fragment's ref -> its plain text
        self.html = SandboxedEnvironment(autoescape=True, finalize=self._html_value, **common)
        self.html.filters["plain"] = self._plain
        self.html.filters["toc_entry"] = _toc_entry
        for env in (self.markdown, self.html):
            env.globals["anchor"] = ids.for_templates()

    def _html_value(self, value):
        if isinstance(value, Markdown) and value.ref in self.html_of:
            return markupsafe.Markup(self.html_of[value.ref])
        return value

    def _plain(self, value) -> str:
        if isinstance(value, Markdown):
            return self.plain_of.get(value.ref, " ".join(str(value).split()))
        return "" if value is None else str(value)

    def get_template(self, name: str) -> jinja2.Template:
        env = self.markdown if name.endswith(".md.j2") else self.html
        try:
            return env.get_template(name)
        except jinja2.TemplateError as error:
            raise template_problem(error, name) from None

    def render(self, name: str, **context) -> str:
        template = self.get_template(name)
        try:
            return template.render(**context)
        except jinja2.TemplateError as error:
            raise template_problem(error, name) from None
        except jinja2.exceptions.SecurityError as error:  # pragma: no cover - a TemplateError too
            raise template_problem(error, name) from None


def template_problem(error: Exception, name: str) -> TemplateProblem:
    """A Jinja fault as a problem with the template's file and line."""
    path, line = getattr(error, "filename", None) or name, getattr(error, "lineno", None)
    tb = error.__traceback__
    while tb is not None:  # the innermost frame of a template (Jinja names them by the template's file)
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            path, line = filename, tb.tb_lineno
        tb = tb.tb_next
    if isinstance(error, jinja2.TemplateNotFound):
        message = f"template '{error.name}' cannot be used: {error.message or 'not found'}"
        hint = "a template includes only templates of the template folders, by name"
    elif isinstance(error, jinja2.exceptions.SecurityError):
        message, hint = (
            f"the template does what templates may not: {error}",
            "templates may use the edition's model only (no Python internals)",
        )
    elif isinstance(error, jinja2.UndefinedError):
        message, hint = (
            f"the template uses something undefined: {error.message}",
            "check the names against the default template in templates/",
        )
    else:
        message, hint = (
            f"{type(error).__name__}: {getattr(error, 'message', None) or error}",
            "check the template's syntax on this line",
        )
    return TemplateProblem(str(path), line, message, hint)


def environment(template_dirs: list[Path]) -> Templates:
    return Templates(template_dirs)


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
    naming: dict[str, list] = {}
    for quotation in edition.quotations.values():
        for claim_id in quotation.claim_ids:
            naming.setdefault(claim_id, []).append(quotation)
    for claim in edition.claims.values():
        quotations = edition.quotations_of(claim)
        listed = {q.id for q in quotations}
        quotations += [q for q in naming.get(claim.id, []) if q.id not in listed]
        entries = []
        for quotation in quotations:
            first = quotation.id not in printed
            printed.setdefault(quotation.id, claim)
            entries.append(AppendixEntry(quotation, first, printed[quotation.id]))
        if entries:
            groups.append((claim, entries))
    return groups


def render_units(edition: Edition, env: Templates, cited=(), text=None) -> list[Unit]:
    """The units of the book, in its order; ``text`` (text_part.TextPart) the examined text printed whole."""
    units: list[Unit] = []
    for part in edition.front:
        markdown = env.render("front.md.j2", edition=edition, part=part)
        units.append(Unit(part.anchor, "front", part.title, markdown, part.path))
    text_unit = None
    if text is not None:
        markdown = env.render("text.md.j2", edition=edition, text=text)
        text_unit = Unit(text.anchor, "text", text.title, markdown, text.held.path)
    if text_unit is not None and edition.settings.text_place == "before-chapters":
        units.append(text_unit)
    marked = text.marked if text is not None else {}
    for chapter in edition.chapters:
        markdown = env.render(
            "chapter.md.j2", edition=edition, chapter=chapter, claims=edition.claims_of(chapter), in_text=marked
        )
        units.append(Unit(chapter.anchor, "chapter", chapter.title, markdown, chapter.path))
    if text_unit is not None and edition.settings.text_place == "after-chapters":
        units.append(text_unit)
    if edition.settings.appendix and edition.quotations:
        markdown = env.render("appendix.md.j2", edition=edition, groups=appendix_groups(edition))
        units.append(Unit("appendix", "appendix", edition.settings.appendix_title, markdown))
    if edition.settings.bibliography:
        keys = sorted(set(cited) & set(edition.bibliography.entries))
        markdown = env.render("bibliography.md.j2", edition=edition, keys=keys)
        units.append(Unit("bibliography", "bibliography", edition.settings.bibliography_title, markdown))
    return units


MAX_TEMPLATES = 500  # templates one folder may bring


def check_templates(env: Templates, folders: list[Path]) -> list[TemplateProblem]:
    """Every template the folders bring, compiled and read through before anything is rendered:
    its syntax, the templates it includes, extends or imports (found among the template folders,
    by name), and what the sandbox refuses that can be seen in the text (an attribute or key
    beginning with '_'). The faults, each at its file and line."""
    from jinja2 import nodes

    found: list[TemplateProblem] = []
    loader: ConfinedLoader = env.markdown.loader
    for folder in folders:
        names = sorted(
            path.relative_to(folder).as_posix()
            for path in folder.rglob("*.j2")
            if path.is_file() and not path.is_symlink()
        )[:MAX_TEMPLATES]
        for name in names:
            target = env.markdown if name.endswith(".md.j2") else env.html
            try:
                source, filename, _ = loader.get_source(target, name)
                if filename != str(folder.joinpath(*name.split("/"))):
                    continue  # another folder's template of this name is the one used
                tree = target.parse(source, name, filename)
            except jinja2.TemplateError as error:
                found.append(template_problem(error, name))
                continue
            for node in tree.find_all((nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
                names_used = node.template.items if isinstance(node.template, nodes.List) else [node.template]
                for used in names_used:
                    if not isinstance(used, nodes.Const) or not isinstance(used.value, str):
                        continue
                    try:
                        loader.get_source(target, used.value)
                    except jinja2.TemplateNotFound as error:
                        if not getattr(node, "ignore_missing", False):
                            why = error.message if error.message and error.message != used.value else ""
                            found.append(
                                TemplateProblem(
                                    filename,
                                    node.lineno,
                                    f"template '{used.value}' cannot be used: " + (why or "no template folder has it"),
                                    "a template includes only templates of the template folders, by name",
                                )
                            )
            for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
                key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
                if isinstance(key, str) and key.startswith("_"):
                    found.append(
                        TemplateProblem(
                            filename,
                            node.lineno,
                            f"the template does what templates may not: it reads '{key}'",
                            "templates may use the edition's model only (no Python internals)",
                        )
                    )
    return found
