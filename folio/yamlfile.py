"""YAML reading that remembers lines, for messages that name file:line."""

from __future__ import annotations

import yaml


class LinedDict(dict):
    """A mapping from YAML that knows the line of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key, default: int | None = None) -> int:
        return self.key_lines.get(key, default if default is not None else self.line)


class LinedList(list):
    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        try:
            return self.item_lines[index]
        except IndexError:
            return self.line


class _Loader(yaml.SafeLoader):
    """The pure-Python parser: its messages on a fault are the ones we explain."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's parser (ten times faster), with the same constructors; used while the text is sound."""


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    result = LinedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
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
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse(text: str, first_line: int = 1):
    """Parse YAML text; lines in the result count from ``first_line``.

    Raises YamlSyntaxError with the line of the fault.
    """
    try:
        try:
            data = yaml.load(text, Loader=_FastLoader)  # noqa: S506 - SafeLoader subclasses
        except yaml.YAMLError:
            data = yaml.load(text, Loader=_Loader)  # the fault again, in the words the messages expect
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or str(exc)
        if exc.context:
            what = f"{exc.context}: {what}"
        if exc.context_mark and exc.context and "flow" in exc.context:
            # an unclosed [ or {: the fault is where it was opened
            what += f" (the bracket opened on line {exc.context_mark.line + first_line} is not closed)"
            mark = exc.context_mark
        line = mark.line + first_line if mark else None
        raise YamlSyntaxError(line, what) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(None, str(exc)) from None
    if first_line != 1:
        _shift(data, first_line - 1)
    return data


def _shift(data, by: int) -> None:
    if isinstance(data, LinedDict):
        data.line += by
        data.key_lines = {k: v + by for k, v in data.key_lines.items()}
        for value in data.values():
            _shift(value, by)
    elif isinstance(data, LinedList):
        data.line += by
        data.item_lines = [v + by for v in data.item_lines]
        for value in data:
            _shift(value, by)


def split_front_matter(text: str):
    """Split a Markdown file into (front matter text, body, body's first line).

    Returns None for the front matter when the file does not start with
    '---' or the block is not closed.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1:])
            return front, body, index + 2
    return None, text, 1
