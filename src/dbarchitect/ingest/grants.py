"""Privileges on tables, views, columns, sequences and schemas in one canonical form, whether
they come from a DDL file's GRANT and REVOKE statements or from a database's ACLs, so a migration
compares what each role may do on each object instead of statement texts.

A file's statements are applied in order (a GRANT adds privileges, a REVOKE takes them away, as
the engine would); a database's privileges are read row by row (``aclexplode`` on PostgreSQL,
``information_schema`` on MariaDB). Both become one grant object per object, column and grantee:
its identity ``table users to reader`` (``column users.email to writer``, ``sequence s to x``,
``schema app to x``), its definition the sorted privileges (those held WITH GRANT OPTION apart),
and the GRANT statements that give them. An object's owner's own privileges are implicit and not
listed.

A statement outside this form (``ON ALL TABLES IN SCHEMA``, functions, ``GROUP``, MariaDB's
``ALL PRIVILEGES`` or a grant on another database...) is not read here: it stays one object of
its own, compared as a statement (and named as not planned when that cannot tell).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dbarchitect.engines.quoting import quoted_identifier
from dbarchitect.model.catalog import ObjectSource, SchemaObject
from dbarchitect.model.names import EngineName


@dataclass(frozen=True)
class Privilege:
    """One privilege of one grantee on one object (or column)."""

    target: str  # "table", "sequence" or "schema"
    name: str  # as the engine stores it; qualified when outside the default schema
    column: str  # "" for the whole object
    grantee: str  # PostgreSQL: the role as stored, or PUBLIC; MariaDB: 'user'@'host'
    privilege: str  # upper case, as the engine lists it
    grantable: bool = False


_MYSQL_FAMILY = (EngineName.MYSQL, EngineName.MARIADB)
_PG_TABLE = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
_PG_PRIVILEGES = {
    "table": _PG_TABLE,
    "column": ("SELECT", "INSERT", "UPDATE", "REFERENCES"),
    "sequence": ("USAGE", "SELECT", "UPDATE"),
    "schema": ("USAGE", "CREATE"),
}
_MYSQL_PRIVILEGES = {
    "table": (
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "REFERENCES", "INDEX", "ALTER",
        "CREATE VIEW", "SHOW VIEW", "TRIGGER", "DELETE HISTORY",
    ),
    "column": ("SELECT", "INSERT", "UPDATE", "REFERENCES"),
}  # fmt: skip
_IDENT = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|[A-Za-z_][\w$]*)'
_QUALIFIED = re.compile(rf"^{_IDENT}(?:\s*\.\s*{_IDENT})?$")
_GRANT = re.compile(
    r"^GRANT\s+(?P<privs>.+?)\s+ON\s+(?:(?P<target>TABLE|SEQUENCE|SCHEMA)\s+)?(?P<names>.+?)\s+TO\s+"
    r"(?P<who>.+?)(?P<option>\s+WITH\s+GRANT\s+OPTION)?(?:\s+GRANTED\s+BY\s+\S+)?$",
    re.I | re.S,
)
_REVOKE = re.compile(
    r"^REVOKE\s+(?P<gof>GRANT\s+OPTION\s+FOR\s+)?(?P<privs>.+?)\s+ON\s+(?:(?P<target>TABLE|SEQUENCE|SCHEMA)\s+)?"
    r"(?P<names>.+?)\s+FROM\s+(?P<who>.+?)(?:\s+GRANTED\s+BY\s+\S+)?(?:\s+CASCADE|\s+RESTRICT)?$",
    re.I | re.S,
)
_PRIVILEGE = re.compile(r"^(?P<word>[A-Za-z]+(?:\s+[A-Za-z]+)?)\s*(?:\((?P<cols>[^()]*)\))?$")
_MYSQL_USER = re.compile(
    r"^(?P<user>'(?:[^']|'')*'|`(?:[^`]|``)*`|\"(?:[^\"]|\"\")*\"|[\w$.-]+)"
    r"(?:\s*@\s*(?P<host>'(?:[^']|'')*'|`(?:[^`]|``)*`|\"(?:[^\"]|\"\")*\"|[\w$.%-]+))?$"
)


def _split(text: str) -> list[str]:
    """``text`` split at commas outside parentheses and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _stored(part: str) -> str:
    """An identifier as the engine stores it: quotes removed, an unquoted one folded to lower case."""
    part = part.strip()
    if part[:1] in ('"', "`") and part[-1:] == part[:1]:
        return part[1:-1].replace(part[0] * 2, part[0])
    return part.lower()


def _object_name(text: str, engine: EngineName) -> str | None:
    """The stored name of one object, without the default schema (``public``); ``None`` for a
    name this form does not hold (a wildcard, another MariaDB database)."""
    if not _QUALIFIED.match(text.strip()):
        return None
    parts = [_stored(p) for p in re.split(r"\s*\.\s*(?=(?:[^\"`]*[\"`][^\"`]*[\"`])*[^\"`]*$)", text.strip())]
    if len(parts) == 2:
        if engine in _MYSQL_FAMILY:
            return None
        if parts[0] == "public":
            parts = parts[1:]
    return ".".join(parts)


def _grantee(text: str, engine: EngineName) -> str | None:
    text = text.strip()
    if engine in _MYSQL_FAMILY:
        m = _MYSQL_USER.match(text)
        if m is None:
            return None
        user = m["user"]
        user = user[1:-1].replace(user[0] * 2, user[0]) if user[0] in "'`\"" else user
        host = m["host"] or "%"
        host = host[1:-1].replace(host[0] * 2, host[0]) if host[0] in "'`\"" else host
        return f"'{user}'@'{host}'"
    if text.upper() == "PUBLIC":
        return "PUBLIC"
    if text.upper() in ("CURRENT_USER", "SESSION_USER", "CURRENT_ROLE") or text.upper().startswith("GROUP "):
        return None
    if not re.fullmatch(_IDENT, text):
        return None
    return _stored(text)


def statement_privileges(sql: str, engine: EngineName) -> tuple[bool, list[Privilege], bool] | None:
    """What a GRANT or REVOKE statement gives or takes: (is a grant, the privileges, only the
    grant option). ``None`` when the statement is outside the canonical form."""
    text = re.sub(r"\s+", " ", sql.strip().rstrip(";")).strip()
    mysql = engine in _MYSQL_FAMILY
    m = _GRANT.match(text)
    grant = m is not None
    if m is None:
        m = _REVOKE.match(text)
        if m is None:
            return None
    target = (m["target"] or "table").lower()
    if mysql and target != "table":
        return None
    allowed = _MYSQL_PRIVILEGES if mysql else _PG_PRIVILEGES
    names = [_object_name(n, engine) for n in _split(m["names"])]
    grantees = [_grantee(g, engine) for g in _split(m["who"])]
    if not names or None in names or not grantees or None in grantees:
        return None
    option = bool(grant and m["option"])
    only_option = bool(not grant and m["gof"])
    out: list[Privilege] = []
    for part in _split(m["privs"]):
        p = _PRIVILEGE.match(part)
        if p is None:
            return None
        word = re.sub(r"\s+", " ", p["word"]).upper()
        columns = [_stored(c) for c in _split(p["cols"])] if p["cols"] is not None else [""]
        if any(not c for c in columns) and p["cols"] is not None:
            return None
        kinds = "column" if p["cols"] is not None else target
        if kinds == "column" and target != "table":
            return None
        if word in ("ALL", "ALL PRIVILEGES"):
            if mysql:
                return None
            words: tuple[str, ...] = _PG_PRIVILEGES[kinds]
        elif word in allowed.get(kinds, ()):
            words = (word,)
        else:
            return None
        for name in names:
            for who in grantees:
                for column in columns:
                    for w in words:
                        out.append(Privilege(target, str(name), column, str(who), w, option))
    return grant, out, only_option


def script_privileges(statements: Iterable[tuple[bool, list[Privilege], bool]]) -> list[Privilege]:
    """The privileges a file's GRANT and REVOKE statements leave, applied in order."""
    held: dict[tuple[str, str, str, str, str], bool] = {}
    for grant, privileges, only_option in statements:
        for p in privileges:
            key = (p.target, p.name, p.column, p.grantee, p.privilege)
            if grant:
                held[key] = held.get(key, False) or p.grantable
            elif only_option:
                if key in held:
                    held[key] = False
            else:
                held.pop(key, None)
                if not p.column:
                    # Revoking a table privilege revokes it on every column too (PostgreSQL, MariaDB).
                    for k in [k for k in held if k[:2] == key[:2] and k[3:] == key[3:] and k[2]]:
                        held.pop(k)
    return [Privilege(*k, grantable=v) for k, v in held.items()]


def grant_objects(privileges: Iterable[Privilege], engine: EngineName) -> list[SchemaObject]:
    """One grant object per object, column and grantee, with the GRANT statements that give it."""
    groups: dict[tuple[str, str, str, str], dict[str, bool]] = {}
    for p in privileges:
        held = groups.setdefault((p.target, p.name, p.column, p.grantee), {})
        held[p.privilege.upper()] = held.get(p.privilege.upper(), False) or p.grantable
    mysql = engine in _MYSQL_FAMILY
    out = []
    for (target, name, column, grantee), held in sorted(groups.items()):
        quote = ("`", "`") if mysql else ('"', '"')
        on = ".".join(quoted_identifier(part, *quote) for part in name.split("."))
        on = on if mysql else f"{target.upper()} {on}"
        who = grantee if mysql or grantee == "PUBLIC" else quoted_identifier(grantee, '"', '"')
        cols = f" ({quoted_identifier(column, *quote)})" if column else ""
        plain = sorted(k for k, v in held.items() if not v)
        option = sorted(k for k, v in held.items() if v)
        sql = []
        if plain:
            sql.append(f"GRANT {', '.join(f'{w}{cols}' for w in plain)} ON {on} TO {who}")
        if option:
            sql.append(f"GRANT {', '.join(f'{w}{cols}' for w in option)} ON {on} TO {who} WITH GRANT OPTION")
        label = f"{'column' if column else target} {name}{'.' + column if column else ''} to {grantee}"
        definition = ", ".join(plain) + (f"; with grant option: {', '.join(option)}" if option else "")
        out.append(SchemaObject("grant", label, definition, ObjectSource.CANONICAL, tuple(sql)))
    return out


__all__ = ["Privilege", "grant_objects", "script_privileges", "statement_privileges"]
