"""Reading a brief from YAML or JSON, with every problem turned into a one-line error naming the
file, line and field; and the brief's published JSON Schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dbarchitect.brief.base import BriefModel
from dbarchitect.brief.model import Brief
from dbarchitect.brief.yaml_reader import compose_yaml, read_yaml, walk_nodes
from dbarchitect.errors import BriefError, DbarchError, Diagnostic
from dbarchitect.limits import check_path_text, check_text_size, read_input_text

# ---------------------------------------------------------------------------------------------
# Loading with locations


def _subclasses(cls: type[BriefModel]) -> list[type[BriefModel]]:
    out: list[type[BriefModel]] = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def brief_json_schema() -> dict[str, Any]:
    """The published JSON Schema of the brief (for editors: ``dbarch brief-schema``)."""
    schema = Brief.model_json_schema(by_alias=True)
    schema["properties"].pop("base_dir", None)
    models = {m.__name__: m for m in _subclasses(BriefModel)}
    for name, definition in schema.get("$defs", {}).items():
        shorthands = models[name].json_shorthands if name in models else ()
        if shorthands:
            outer = {k: definition.pop(k) for k in ("title", "description") if k in definition}
            schema["$defs"][name] = {**outer, "anyOf": [definition, *shorthands]}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dbarchitect design brief"
    return schema


def _yaml_locations(text: str) -> dict[tuple[str | int, ...], int]:
    """Map each mapping key / sequence item path to its 1-based line in the YAML text (walked
    iteratively; a key's line is where the key is written)."""
    locations: dict[tuple[str | int, ...], int] = {}
    try:
        root = compose_yaml(text, file="<brief>")
    except DbarchError:
        return locations
    if root is not None:
        for path, node, key in walk_nodes(root):
            locations[path] = (key if key is not None else node).start_mark.line + 1
    return locations


def _error_location(loc: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> int | None:
    """Line of the deepest YAML node along ``loc``; path elements the validators added (such as
    ``statements`` for a workload written as a plain list) are skipped."""
    path: tuple[str | int, ...] = ()
    for element in loc:
        if (*path, element) in lines:
            path = (*path, element)
    return lines.get(path) if path else None


def field_lines(brief: Brief) -> Callable[[tuple[str | int, ...]], int | None]:
    """Where a field of ``brief`` stands in the text it was read from: a function of a field path
    (``("workload", "statements", 3, "params", "since")``) giving the 1-based line of the deepest key
    written along it, or None (a brief built from data, not read from text). For the errors found
    once the schema is known, which name the line as the brief's own validation errors do."""
    text = brief.source_text
    lines = _yaml_locations(text) if text is not None else {}
    return lambda path: _error_location(path, lines)


#: Problems one brief error lists at most (the rest are counted).
MAX_PROBLEMS = 20


def _flow_comma_hints(text: str) -> list[tuple[int, int, str]]:
    """``(first line, last line, hint)`` for each YAML flow mapping (``{...}``) in which a comma
    split a value: ``{type: numeric(3,2)}`` is read as ``type: numeric(3`` and a key ``2)``, because
    in ``{...}`` a comma separates entries. The hint shows the entry quoted."""
    try:
        root = compose_yaml(text, file="<brief>")
    except DbarchError:
        return []
    if root is None:
        return []
    hints: list[tuple[int, int, str]] = []

    def plain(node: yaml.Node) -> str | None:
        return node.value if isinstance(node, yaml.ScalarNode) and node.style is None else None

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            if node.flow_style:
                entries = [(plain(k), plain(v)) for k, v in node.value]
                for i, (key, value) in enumerate(entries[:-1]):
                    opened = (value or "").count("(") - (value or "").count(")")
                    following = entries[i + 1][0] or ""
                    if key and value and opened > 0 and following.count(")") > following.count("("):
                        whole = f"{value},{following}" if not following.startswith(" ") else value + ","
                        hints.append(
                            (
                                node.start_mark.line + 1,
                                node.end_mark.line + 1,
                                f"in YAML's {{...}} a comma separates entries, so {key}: {value} was cut at "
                                f"the comma; quote the value: {{{key}: '{whole}'}}",
                            )
                        )
            for k, v in node.value:
                walk(k)
                walk(v)
        elif isinstance(node, yaml.SequenceNode):
            for child in node.value:
                walk(child)

    if root is not None:
        walk(root)
    return hints


def _problem(err: Any, file: str, lines: dict[tuple[str | int, ...], int]) -> Diagnostic:
    loc = tuple(err["loc"])
    fields = ".".join(str(p) for p in loc if not (isinstance(p, str) and ("[" in p or "function-" in p)))
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = f"unknown field '{loc[-1]}'; see `dbarch brief-schema` for the fields a brief takes"
    elif err["type"] == "missing":
        msg = "is missing; add it (see `dbarch brief-schema`)"
    elif err["type"] == "enum" and "ctx" in err:
        msg = f"{err['input']!r} is not supported; use one of {err['ctx'].get('expected', '')}"
    return Diagnostic(msg, file=file, line=_error_location(loc, lines), field=fields or None)


def parse_brief(
    data: Any, *, file: str = "<brief>", text: str | None = None, base_dir: Path | None = None
) -> Brief:
    """Validate already-parsed brief data. Every problem is reported at once (up to
    :data:`MAX_PROBLEMS`), each naming ``file``, the line (when ``text`` is YAML/JSON text) and the
    field path, in the order they stand in the file; a value a YAML ``{...}`` cut at a comma gets a
    hint to quote it."""
    if not isinstance(data, dict):
        raise BriefError(
            Diagnostic("a brief is a mapping with at least 'engine' and 'schema'", file=file, line=1)
        )
    try:
        brief = Brief.model_validate(data)
    except ValidationError as exc:
        lines = _yaml_locations(text) if text is not None else {}
        problems: list[Diagnostic] = []
        for err in exc.errors():
            problem = _problem(err, file, lines)
            if problem not in problems:
                problems.append(problem)
        hints = _flow_comma_hints(text) if text is not None else []
        for i, problem in enumerate(problems):
            hint = next(
                (h for first, last, h in hints if problem.line and first <= problem.line <= last), None
            )
            if hint is not None:
                problems[i] = Diagnostic(
                    problem.message, file=problem.file, line=problem.line, field=problem.field, hint=hint
                )
        problems.sort(key=lambda d: d.line or 0)
        shown = problems[:MAX_PROBLEMS]
        more = list(shown[1:])
        if len(problems) > MAX_PROBLEMS:
            more.append(
                Diagnostic(f"... and {len(problems) - MAX_PROBLEMS} more problem(s) not listed", file=file)
            )
        raise BriefError(shown[0], more=more) from None
    if base_dir is not None:
        brief = brief.model_copy(update={"base_dir": base_dir})
    brief._text = text
    return brief


def load_brief(path: str | Path) -> Brief:
    """Read a brief from a YAML or JSON file. Raises :class:`BriefError` with file and line."""
    p = Path(check_path_text(path))
    text = read_input_text(
        p, what="the brief", error=BriefError, missing="no such file; give the path of a brief (YAML or JSON)"
    )
    return loads_brief(text, file=str(p), base_dir=p.resolve().parent)


def loads_brief(text: str, *, file: str = "<brief>", base_dir: Path | None = None) -> Brief:
    """Parse brief text (YAML, of which JSON is a subset), within the input limits."""
    check_text_size(text, what="the brief", file=file)
    data = read_yaml(text.removeprefix("\ufeff"), file=file)
    return parse_brief(data, file=file, text=text, base_dir=base_dir or Path("."))
