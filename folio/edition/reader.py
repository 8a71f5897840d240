"""The reader of an edition's files: each one resolved, read and parsed through ``files`` and
``yamlfile``, its faults reported with their lines; and the small helpers every part of the
loader shares."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from folio.edition import files, schema
from folio.edition.model import (
    Markdown,
)
from folio.edition.yamlfile import LinedDict, YamlSyntaxError, empty_mapping, parse_with_faults, split_front_matter
from folio.problems import Problems

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
                refused.code, named_in, line, f"'{shown_path(path, self.root)}' {refused.message}", refused.hint
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

    def markdown(
        self, path: Path, fields: dict, named_in: Path | None = None, line: int | None = None, kind: str = "markdown"
    ):
        """A Markdown file with YAML front matter -> (LinedDict or None, faulty keys, body, body_line)."""
        text = self.text(path, kind, line, named_in)
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


def shown_path(path: Path, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


def text_of(value) -> str:
    return "" if value is None else str(value).strip()


def id_ok(value: str, path: Path, line: int, problems: Problems) -> bool:
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


def markdown_field(data: LinedDict, key: str, ref: str, path: Path, inline: bool, default: str = "") -> Markdown:
    text = text_of(data.get(key)) if data is not None and data.get(key) is not None else default
    line = data.value_line(key) if data is not None and key in data else (data.line if data is not None else 1)
    return Markdown(text, ref, path, line, inline)


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
