"""Statements of a DDL script that define objects the catalog does not model field by field
(functions, procedures, triggers, sequences, domains, types, extensions, schemas, collations,
policies, row-level security, grants, comments on other objects, materialized views, events,
rules...): each becomes a :class:`~dbarchitect.model.catalog.SchemaObject` holding the statement
itself, so a migration creates it with the user's own SQL, drops it by name, or names it as not
planned; it is never dropped silently.

Identities follow the engine's rules: a PostgreSQL function is ``name(arguments)`` (overloads are
distinct objects), a trigger or policy belongs to its table, a grant or default privilege is its
own normalized statement.
"""

from __future__ import annotations

import re

from dbarchitect.model.catalog import ObjectSource, SchemaObject

_NAME = r"(?P<name>(?:\"[^\"]+\"|`[^`]+`|[\w$]+)(?:\s*\.\s*(?:\"[^\"]+\"|`[^`]+`|[\w$]+))?)"
_OR_REPLACE = r"(?:OR\s+REPLACE\s+)?"
_DEFINER = r"(?:DEFINER\s*=\s*\S+\s+)?"
_IF_NOT_EXISTS = r"(?:IF\s+NOT\s+EXISTS\s+)?"
_ARGS = r"\s*(?P<args>\((?:[^()]|\([^()]*\))*\))?"
_TABLE = r"(?P<table>(?:\"[^\"]+\"|`[^`]+`|[\w$]+)(?:\s*\.\s*(?:\"[^\"]+\"|`[^`]+`|[\w$]+))?)"
_CREATE = rf"^CREATE\s+{_OR_REPLACE}{_DEFINER}"
_TABLE_PROPERTY = (
    r"REPLICA\s+IDENTITY|SET\s*\(|SET\s+(?:UN)?LOGGED|CLUSTER\s+ON|"
    r"ALTER\s+(?:COLUMN\s+)?\S+\s+SET\s+(?:STORAGE|STATISTICS|COMPRESSION|\()"
)

#: (kind, pattern): the first pattern that matches the start of a statement names its kind.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE | re.DOTALL))
    for kind, pattern in (
        ("function", rf"{_CREATE}FUNCTION\s+{_IF_NOT_EXISTS}{_NAME}{_ARGS}"),
        ("procedure", rf"{_CREATE}PROCEDURE\s+{_IF_NOT_EXISTS}{_NAME}{_ARGS}"),
        ("event trigger", rf"^CREATE\s+EVENT\s+TRIGGER\s+{_NAME}"),
        ("trigger", rf"{_CREATE}(?:CONSTRAINT\s+)?TRIGGER\s+{_IF_NOT_EXISTS}{_NAME}\s.*?\bON\s+{_TABLE}"),
        ("sequence", rf"^CREATE\s+(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?SEQUENCE\s+{_IF_NOT_EXISTS}{_NAME}"),
        ("extension", rf"^CREATE\s+EXTENSION\s+{_IF_NOT_EXISTS}{_NAME}"),
        ("schema", rf"^CREATE\s+SCHEMA\s+{_IF_NOT_EXISTS}(?:AUTHORIZATION\s+)?{_NAME}"),
        ("domain", rf"^CREATE\s+DOMAIN\s+{_NAME}"),
        ("type", rf"^CREATE\s+TYPE\s+{_NAME}\s*(?:AS\s*\(|AS\s+RANGE\b|\(|;?$)"),
        ("collation", rf"^CREATE\s+COLLATION\s+{_IF_NOT_EXISTS}{_NAME}"),
        ("materialized view", rf"^CREATE\s+MATERIALIZED\s+VIEW\s+{_IF_NOT_EXISTS}{_NAME}"),
        ("policy", rf"^CREATE\s+POLICY\s+{_NAME}\s+ON\s+(?P<table>\S+)"),
        ("rule", rf"^CREATE\s+{_OR_REPLACE}RULE\s+{_NAME}\s+AS\s+ON\s+\w+\s+TO\s+(?P<table>\S+)"),
        ("event", rf"^CREATE\s+{_DEFINER}EVENT\s+{_IF_NOT_EXISTS}{_NAME}"),
        ("cast", r"^CREATE\s+CAST\s+(?P<name>\([^)]*\))"),
        ("operator", r"^CREATE\s+OPERATOR\s+(?:CLASS\s+|FAMILY\s+)?(?P<name>\S+)"),
        ("aggregate", rf"^CREATE\s+{_OR_REPLACE}AGGREGATE\s+{_NAME}\s*(?P<args>\([^)]*\))?"),
        ("text search object", r"^CREATE\s+TEXT\s+SEARCH\s+\w+\s+(?P<name>\S+)"),
        ("foreign table", rf"^CREATE\s+FOREIGN\s+TABLE\s+{_IF_NOT_EXISTS}{_NAME}"),
        ("server", rf"^CREATE\s+SERVER\s+{_IF_NOT_EXISTS}{_NAME}"),
        ("foreign data wrapper", rf"^CREATE\s+FOREIGN\s+DATA\s+WRAPPER\s+{_NAME}"),
        ("user mapping", r"^CREATE\s+USER\s+MAPPING\s+(?P<name>.*)$"),
        ("publication", rf"^CREATE\s+PUBLICATION\s+{_NAME}"),
        ("subscription", rf"^CREATE\s+SUBSCRIPTION\s+{_NAME}"),
        ("statistics", rf"^CREATE\s+STATISTICS\s+{_IF_NOT_EXISTS}{_NAME}"),
        ("conversion", rf"^CREATE\s+(?:DEFAULT\s+)?CONVERSION\s+{_NAME}"),
        ("transform", r"^CREATE\s+(?:OR\s+REPLACE\s+)?TRANSFORM\s+(?P<name>.*)$"),
        ("language", rf"{_CREATE}(?:TRUSTED\s+)?(?:PROCEDURAL\s+)?LANGUAGE\s+(?P<name>\S+)"),
        ("access method", rf"^CREATE\s+ACCESS\s+METHOD\s+{_NAME}"),
        ("grant", r"^(?P<name>(?:GRANT|REVOKE)\s.*)$"),
        ("default privileges", r"^(?P<name>ALTER\s+DEFAULT\s+PRIVILEGES\s.*)$"),
        ("comment", r"^COMMENT\s+ON\s+(?P<name>(?!TABLE\s|COLUMN\s).*?)\s+IS\s"),
        ("security label", r"^SECURITY\s+LABEL\s.*?\bON\s+(?P<name>.*?)\s+IS\s"),
        ("row level security", r"^ALTER\s+TABLE\s+(?:ONLY\s+)?(?P<name>\S+)\s+"
            r"(?:ENABLE|DISABLE|FORCE|NO\s+FORCE)\s+ROW\s+LEVEL\s+SECURITY\s*$"),
        ("table property", rf"^ALTER\s+TABLE\s+(?:ONLY\s+)?(?P<name>\S+)\s+(?:{_TABLE_PROPERTY})"),
    )
)  # fmt: skip

_SPACE = re.compile(r"\s+")
_COMMENT_LINE = re.compile(r"--[^\n]*")


def normalized(sql: str) -> str:
    """``sql`` with line comments removed, whitespace collapsed and the final ``;`` dropped."""
    text = _COMMENT_LINE.sub(" ", sql) if "$" not in sql and "'" not in sql else sql
    return _SPACE.sub(" ", text).strip().rstrip(";").strip()


def _plain(name: str) -> str:
    """A name as the engine stores it: quotes removed, unquoted parts folded to lower case."""
    parts = [p.strip() for p in re.split(r"\.(?=(?:[^\"`]*[\"`][^\"`]*[\"`])*[^\"`]*$)", name)]
    out = []
    for p in parts:
        if p[:1] in ('"', "`") and p[-1:] == p[:1]:
            out.append(p[1:-1])
        else:
            out.append(p.lower())
    if len(out) == 2 and out[0] == "public":
        out = out[1:]
    return ".".join(out)


def _arguments(args: str | None) -> str:
    """Argument list as PostgreSQL's ``pg_get_function_identity_arguments`` writes it for the
    simple cases: no parentheses, ``name type`` pairs separated by ``, ``, defaults removed."""
    if not args:
        return ""
    inner = args.strip()[1:-1]
    parts = []
    for part in re.split(r",(?![^()]*\))", inner):
        part = re.split(r"\s+(?:DEFAULT\b|=)", part.strip(), maxsplit=1, flags=re.IGNORECASE)[0]
        part = re.sub(r"^(IN)\s+", "", part.strip(), flags=re.IGNORECASE)
        if part:
            parts.append(_SPACE.sub(" ", part).lower())
    return ", ".join(parts)


def statement_object(sql: str) -> SchemaObject | None:
    """The object a DDL statement defines, when it is one the catalog does not model; else ``None``."""
    text = normalized(sql)
    for kind, pattern in _PATTERNS:
        m = pattern.match(text)
        if m is None:
            continue
        raw = m.group("name")
        if kind in ("grant", "default privileges", "user mapping", "transform"):
            name = text
        elif kind in ("comment", "security label"):
            # `CONSTRAINT c ON t` as the database reader names it (keywords in upper case)
            name = re.sub(
                r"^(materialized view|\w+) ",
                lambda m: m.group(1).upper() + " ",
                _SPACE.sub(" ", raw),
                flags=re.I,
            )
            name = re.sub(r"\s+on\s+", " ON ", name, flags=re.IGNORECASE)
        elif kind in ("function", "procedure", "aggregate"):
            name = f"{_plain(raw)}({_arguments(m.group('args'))})"
        elif kind in ("trigger", "policy", "rule"):
            name = f"{_plain(m.group('table'))}.{_plain(raw)}"
        elif kind in ("cast", "operator", "text search object", "language"):
            name = raw
        else:
            name = _plain(raw)
        source = sql.strip().rstrip(";").rstrip()
        return SchemaObject(kind, name, text, ObjectSource.DDL, create_sql=(source,))
    return None


def is_alter_sequence(sql: str) -> str | None:
    """The sequence an ``ALTER SEQUENCE`` statement changes, if it is one."""
    m = re.match(rf"^\s*ALTER\s+SEQUENCE\s+(?:IF\s+EXISTS\s+)?{_NAME}", sql, re.IGNORECASE)
    return _plain(m.group("name")) if m else None


__all__ = ["is_alter_sequence", "normalized", "statement_object"]
