"""YAML reading that remembers lines, for messages that name file:line, and that
refuses what YAML would silently get wrong or what would exhaust the machine.

- Every mapping key must be a text: ``no:`` (which YAML reads as false) or ``1956:``
  are faults with their line, not keys of another type.
- A key given twice in one mapping is a fault naming both lines (YAML keeps the last).
- Nesting deeper than MAX_DEPTH and aliases expanding beyond MAX_NODES (a "billion
  laughs") are refused before anything is built from them.
- A syntax error is told in plain words, with its line and column.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

MAX_DEPTH = 40  # mappings and lists inside each other; the edition's files need 4
MAX_NODES = 200_000  # values once aliases are expanded; 400 quotations make about 6,000


class LinedDict(dict):
    """A mapping from YAML that knows the line of each key (1-based)."""

    line: int = 0
    key_lines: dict
    value_lines: dict  # key -> the line where its value's text starts (after '|' or '>')

    def line_of(self, key, default: int | None = None) -> int:
        return self.key_lines.get(key, default if default is not None else self.line)

    def value_line(self, key) -> int:
        return getattr(self, "value_lines", {}).get(key) or self.line_of(key)


class LinedList(list):
    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        try:
            return self.item_lines[index]
        except IndexError:
            return self.line


def empty_mapping(line: int = 1) -> LinedDict:
    data = LinedDict()
    data.line, data.key_lines, data.value_lines = line, {}, {}
    return data


@dataclass(frozen=True)
class YamlFault:
    """A fault in data that YAML itself accepts: a key that is not a text, a key given twice."""

    line: int
    message: str
    hint: str = ""
    code: str = "E102"


class _Loader(yaml.SafeLoader):
    """The pure-Python parser: its messages on a fault are the ones we explain."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's parser (ten times faster), with the same constructors; used while the text is sound."""


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    result = LinedDict()
    result.line = node.start_mark.line + 1
    result.key_lines, result.value_lines = {}, {}
    faults = loader.folio_faults
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            faults.append(
                YamlFault(
                    line,
                    "a key must be a text, not a list or mapping",
                    "write 'key: value' with a plain name before the colon",
                )
            )
            continue
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            word = (
                {True: "true", False: "false", None: "null (empty)"}.get(key, type(key).__name__)
                if isinstance(key, (bool, type(None)))
                else ("a number" if isinstance(key, (int, float)) else type(key).__name__)
            )
            faults.append(
                YamlFault(
                    line,
                    f"YAML reads the key '{key_node.value}' as {word}, not as a text",
                    f"put it in quotes: '{key_node.value}':",
                )
            )
            key = str(key_node.value)
        if key in result:
            faults.append(
                YamlFault(
                    line,
                    f"key '{key}' is given twice in this mapping (first on line "
                    f"{result.key_lines[key]}); YAML would keep only the last",
                    "keep one of them",
                    code="E110",
                )
            )
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
        block = isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">")
        result.value_lines[key] = value_node.start_mark.line + 1 + block
    return result


def _construct_sequence(loader, node):
    result = LinedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp_as_text(loader, node):
    # Dates stay as the editor wrote them ("1956-02-25"); the model parses them.
    return loader.construct_scalar(node)


for _loader in (_Loader, _FastLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)


class YamlSyntaxError(Exception):
    def __init__(
        self, line: int | None, message: str, column: int | None = None, hint: str = "", code: str = "E101"
    ) -> None:
        super().__init__(message)
        self.line, self.column, self.message, self.hint, self.code = line, column, message, hint, code


# PyYAML's words for a fault -> what an editor can act on
_PLAIN = [
    (
        "but found another document",
        "a second YAML document begins here ('---'): the file holds one",
        "remove the '---' line (the items of a list go on with '- ')",
    ),
    (
        "found character '\\t' that cannot start any token",
        "a tab character: YAML indents with spaces only",
        "replace the tab by spaces",
    ),
    (
        "mapping values are not allowed",
        "a ': ' where YAML does not expect a new key",
        "a value that holds ': ' must be put in quotes",
    ),
    (
        "could not find expected ':'",
        "a line that is not 'key: value' inside a mapping",
        "add the missing colon, or put a text that runs over several lines in quotes or after '|'",
    ),
    (
        "expected <block end>, but found '<block sequence start>'",
        "a list item ('- ...') indented differently from what comes before it",
        "line up the '- ' of every item of a list",
    ),
    (
        "expected <block end>, but found",
        "this line is indented differently from the lines before it",
        "line up keys of the same level",
    ),
    (
        "found undefined alias",
        "an alias (*name) with no anchor (&name) before it",
        "a value that starts with '*' must be put in quotes",
    ),
    (
        "expected alphabetic or numeric character",
        "a value that starts with '*', '&' or '!' means something else to YAML",
        "put the value in quotes",
    ),
    (
        "that cannot start any token",
        "a value that starts with '@' or '`' cannot be written bare in YAML",
        "put the value in quotes",
    ),
    (
        "found unknown escape character",
        "a backslash inside double quotes starts an unknown escape",
        "use single quotes, or write two backslashes",
    ),
    (
        "found unexpected end of stream",
        "the file ends inside an unclosed quote or bracket",
        "close the quote or bracket",
    ),
    (
        "expected ',' or ']'",
        "a list in brackets [...] that is not closed, or items not separated by commas",
        "close the bracket and separate the items with ', '",
    ),
    (
        "expected ',' or '}'",
        "a mapping in braces {...} that is not closed, or entries not separated by commas",
        "close the brace and separate the entries with ', '",
    ),
    ("found a tab character", "a tab character: YAML indents with spaces only", "replace the tab by spaces"),
]


def _explain(problem: str, context: str = "") -> tuple[str, str]:
    """The editor's words for a fault of the parser (``problem``, and what it was reading),
    or the parser's own words when there are none (then said once)."""
    for needle, plain, hint in _PLAIN:
        if needle in problem or (context and needle in f"{problem} {context}"):
            return plain, hint
    return problem, "check indentation, colons and quotes on this line or the one before"


def _check_shape(text: str, first_line: int) -> None:
    """Nesting depth, from the parser's events (no recursion, nothing built yet)."""
    depth = 0
    for event in yaml.parse(text, Loader=_FastLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlSyntaxError(
                    event.start_mark.line + first_line,
                    f"lists and mappings nested more than {MAX_DEPTH} deep",
                    event.start_mark.column + 1,
                    "the edition's files need a few levels at most",
                    code="E109",
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _expanded_size(node, memo: dict) -> int:
    """How many values the node stands for once every alias is expanded (a shared node
    counts each time it is used), computed once a node."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a cycle counts once
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, memo) for child in node.value)
    else:
        size = 1
    memo[key] = size
    return size


def parse_with_faults(text: str, first_line: int = 1):
    """Parse YAML text; lines in the result count from ``first_line``. Returns (data, faults).

    Raises YamlSyntaxError with the line and column of a syntax error, or of nesting or
    alias expansion beyond the limits."""
    try:
        _check_shape(text, first_line)
        try:
            data, faults = _load(text, _FastLoader)
        except yaml.YAMLError:
            data, faults = _load(text, _Loader)  # the fault again, in the words the messages expect
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        if "maximum nesting depth" in problem:  # libyaml 0.2.5 stops at 1,000 levels
            mark = exc.context_mark or mark
            raise YamlSyntaxError(
                mark.line + first_line if mark else first_line,
                f"lists and mappings nested more than {MAX_DEPTH} deep",
                mark.column + 1 if mark else None,
                "the edition's files need a few levels at most",
                code="E109",
            ) from None
        plain, hint = _explain(problem, exc.context or "")
        if exc.context_mark and exc.context and "flow" in exc.context and exc.context_mark is not mark:
            plain += f" (the bracket opened on line {exc.context_mark.line + first_line} is not closed)"
            mark = exc.context_mark
        elif (
            exc.context_mark
            and "quoted scalar" in (exc.context or "")
            and ("end of stream" in problem or "document separator" in problem)
        ):
            # the fault is where the quote opens, not where the text ends
            plain, hint = "a quote opened here is never closed", "close the quote at the end of the value"
            mark = exc.context_mark
        line = mark.line + first_line if mark else None
        column = mark.column + 1 if mark else None
        said = problem if plain == problem else f"{plain} (YAML: {problem})"
        raise YamlSyntaxError(line, said, column, hint) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(None, str(exc)) from None
    except RecursionError:
        raise YamlSyntaxError(first_line, "nested too deep to read", code="E109") from None
    if first_line != 1:
        _shift(data, first_line - 1, set())
        faults = [YamlFault(f.line + first_line - 1, f.message, f.hint, f.code) for f in faults]
    return data, faults


def _load(text: str, loader_class):
    loader = loader_class(text)
    loader.folio_faults = []
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        size = _expanded_size(node, {})
        if size > MAX_NODES:
            raise YamlSyntaxError(
                node.start_mark.line + 1,
                f"its aliases (*name) expand to {size:,} values; at most {MAX_NODES:,} are read",
                None,
                "write the values out, or use fewer aliases",
                code="E109",
            )
        return loader.construct_document(node), loader.folio_faults
    finally:
        loader.dispose()


def parse(text: str, first_line: int = 1):
    """Parse YAML text, ignoring the faults ``parse_with_faults`` reports."""
    return parse_with_faults(text, first_line)[0]


def _shift(data, by: int, seen: set) -> None:
    if id(data) in seen:  # a value shared through an alias is shifted once
        return
    if isinstance(data, LinedDict):
        seen.add(id(data))
        data.line += by
        data.key_lines = {k: v + by for k, v in data.key_lines.items()}
        data.value_lines = {k: v + by for k, v in getattr(data, "value_lines", {}).items()}
        for value in data.values():
            _shift(value, by, seen)
    elif isinstance(data, LinedList):
        seen.add(id(data))
        data.line += by
        data.item_lines = [v + by for v in data.item_lines]
        for value in data:
            _shift(value, by, seen)


def split_front_matter(text: str):
    """Split a Markdown file into (front matter text, body, body's first line).

    Returns None for the front matter when the file does not start with
    '---' or the block is not closed.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = [line + "\n" for line in text.split("\n")]  # only LF ends a line (as line numbers count)
    lines[-1] = lines[-1][:-1]
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return front, body, index + 2
    return None, text, 1
