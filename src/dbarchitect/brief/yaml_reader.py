"""Reading brief text (YAML, or JSON) safely: no input can expand, nest or repeat its way past the
limits (:mod:`dbarchitect.limits`).

- **Aliases** (``*name``) are counted before anything is built: the nodes they would add when the
  document is expanded (as validation and every later walk expand it) may not pass the alias budget,
  so a "billion laughs" document is refused in microseconds, whether at the top or inside
  ``guardrails:`` values.
- **Nesting** deeper than the nesting limit is refused from the parser's event stream, before the
  recursive composer and constructor run (a flow mapping nested 1,000 deep is one line of text).
- **Duplicate keys** in a mapping are an error naming both lines (YAML would keep the last one
  silently: a column's second definition dropping its NOT NULL).
- **NUL characters** (``"\\0"`` escapes) are refused: no SQL text or file name can carry them.
- **Keys are names**: ``off``, ``on``, ``yes``, ``no``, ``y`` and ``n`` as mapping keys stay text, as YAML
  1.2 reads them (``params: {off: 20}`` names the parameter ``:off``); as values they keep YAML 1.1's
  booleans (``nullable: no``).
- JSON is read with the same rules (duplicate keys, nesting).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dbarchitect.errors import BriefError, Diagnostic
from dbarchitect.limits import LimitExceeded, current, nesting_exceeded

#: libyaml's parser when PyYAML was built with it (80x faster on a 10 MB scalar), else PyYAML's own.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_BOOL = "tag:yaml.org,2002:bool"
_STR = "tag:yaml.org,2002:str"


class _BriefLoader(_SAFE_LOADER):  # type: ignore[valid-type, misc]
    """PyYAML's safe loader with duplicate keys and NUL characters refused."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if (
                isinstance(key_node, ScalarNode)
                and key_node.tag == _BOOL
                and key_node.style in (None, "")
                and key_node.value.lower() not in ("true", "false")
            ):
                # YAML 1.1 reads off/on/yes/no/y/n as booleans; as a key they are names (a parameter
                # :off, a column, a hot value), as in YAML 1.2. Values keep 1.1 (nullable: no).
                key_node.tag = _STR
            if isinstance(key_node, ScalarNode):
                key = key_node.value
                if key in seen:
                    raise ConstructorError(
                        None,
                        None,
                        f"duplicate key {key!r} (first on line {seen[key]}); a mapping gives each key once",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line + 1
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping

    def construct_scalar(self, node: ScalarNode | MappingNode) -> Any:
        value = super().construct_scalar(node)
        if isinstance(value, str) and "\x00" in value:
            raise ConstructorError(
                None,
                None,
                "the value holds a NUL character (\\0), which no SQL text can carry",
                node.start_mark,
            )
        return value


def _error(exc: yaml.YAMLError, file: str) -> BriefError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "cannot be parsed"
    return BriefError(
        Diagnostic(
            f"malformed YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint=None if "duplicate key" in problem or "NUL" in problem else "check indentation and quoting",
        )
    )


def _line(event: yaml.Event) -> int | None:
    return event.start_mark.line + 1 if event.start_mark is not None else None


def _check_events(text: str, file: str) -> None:
    """Refuse nesting past the limit and aliases that expand past the budget, from the event stream
    (the parser is iterative; nothing is built yet). An anchored node's size is its expanded size;
    each alias adds the size of the node it repeats."""
    limits = current()
    sizes: dict[str, int] = {}
    stack: list[tuple[str | None, int]] = []
    added = 0
    for event in yaml.parse(text, Loader=_BriefLoader):
        size = 0
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append((event.anchor, 1))
            if len(stack) > limits.max_nesting:
                raise nesting_exceeded(len(stack), what="the YAML", file=file, line=_line(event))
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor or "", 1)
            added += size
            if added > limits.max_alias_nodes:
                raise LimitExceeded(
                    Diagnostic(
                        f"YAML aliases expand the document by more than {limits.max_alias_nodes:,} nodes",
                        file=file,
                        line=_line(event),
                        hint="write the values out instead of repeating anchors, or raise the budget with "
                        "DBARCH_MAX_ALIAS_NODES",
                    )
                )
        if stack and size:
            anchor, total = stack[-1]
            stack[-1] = (anchor, total + size)


def compose_yaml(text: str, *, file: str) -> Node | None:
    """The YAML's node graph after the limits are checked (for line numbers of fields)."""
    try:
        _check_events(text, file)
        root = yaml.compose(text, Loader=_BriefLoader)
    except yaml.YAMLError as exc:
        raise _error(exc, file) from None
    if root is not None:
        for _, node, key in walk_nodes(root):  # libyaml marks a plain scalar '', PyYAML None
            for n in (node, key):
                if isinstance(n, ScalarNode) and n.style == "":
                    n.style = None
    return root


def read_yaml(text: str, *, file: str) -> Any:
    """Parse brief text: JSON when ``file`` ends in ``.json``, else YAML (JSON is a subset)."""
    if file.endswith(".json"):
        return _read_json(text, file)
    try:
        _check_events(text, file)
        return yaml.load(text, Loader=_BriefLoader)
    except yaml.YAMLError as exc:
        raise _error(exc, file) from None


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}; an object may give each key once")
        if "\x00" in key:
            raise ValueError("a key holds a NUL character")
        out[key] = value
    return out


def _read_json(text: str, file: str) -> Any:
    depth = 0
    deepest = 0
    in_string = False
    escaped = False
    for ch in text:  # nesting first: the decoder recurses
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > current().max_nesting:
                raise nesting_exceeded(deepest, what="the JSON", file=file)
        elif ch in "]}":
            depth -= 1
    try:
        data = json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise BriefError(
            Diagnostic(f"malformed JSON: {exc.msg}", file=file, line=exc.lineno, column=exc.colno)
        ) from None
    except (ValueError, RecursionError) as exc:
        raise BriefError(Diagnostic(f"malformed JSON: {exc}", file=file)) from None
    if _has_nul(data):
        raise BriefError(
            Diagnostic("a value holds a NUL character (\\u0000), which no SQL text can carry", file=file)
        )
    return data


def _has_nul(data: Any) -> bool:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
    return False


def walk_nodes(root: Node) -> Iterator[tuple[tuple[str | int, ...], Node, Node | None]]:
    """(path, node, key node) for every node of a composed document, iteratively (aliases are not
    followed twice)."""
    seen: set[int] = set()
    stack: list[tuple[tuple[str | int, ...], Node, Node | None]] = [((), root, None)]
    while stack:
        path, node, key = stack.pop()
        yield path, node, key
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for k, child in reversed(node.value):
                name = k.value if isinstance(k, ScalarNode) else str(k)
                stack.append(((*path, name), child, k))
        elif isinstance(node, SequenceNode):
            for i, child in reversed(list(enumerate(node.value))):
                stack.append(((*path, i), child, None))
