"""The names an engine gives a SELECT's result columns, and a rewritten statement made to return the
same ones.

An application reads result columns by name, so a statement rewritten by dbarch (to read a summary
table, or by a rewrite rule) must return the original's names, in order. Each engine names an
unaliased column its own way, from the SQL text it is sent:

- **PostgreSQL** (``FigureColname``): a column's name; a function call's name (``count(*)`` ->
  ``count``, ``now()`` -> ``now``; ``extract``, ``coalesce``, ``case``); a cast's operand's name, else
  its type's (``1::int`` -> ``int4``); a scalar subquery's own column; ``?column?`` for operators and
  literals. Unquoted names fold to lower case.
- **MySQL/MariaDB**: a column's name as written; a string literal's value; any other expression's text
  exactly as written (``count( * )``).
- **SQLite**: a column's name as the table declares it; any other expression's text as written.

An alias is its own name everywhere (unquoted aliases fold to lower case on PostgreSQL).
:func:`output_names` reads the names from the SQL text (its tokens, so the spelling is the one the
engine sees); it answers None when it cannot tell (``SELECT *``, a construct not listed above), and
callers then refuse. :func:`with_output_names` gives a statement's projections those names as quoted
aliases. ``dbarch verify`` compares the names the engine reports, so a rule wrong here is caught.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlglot
from sqlglot import Token, TokenType, exp
from sqlglot.errors import SqlglotError

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName

_OPEN = (TokenType.L_PAREN, TokenType.L_BRACKET)
_CLOSE = (TokenType.R_PAREN, TokenType.R_BRACKET)
_END_OF_LIST = {"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "INTO"}
_END_OF_LIST |= {"WINDOW", "OFFSET", "FETCH", "FOR"}
#: PostgreSQL's names for its SQL value functions (written without parentheses).
_PG_VALUE_FUNCTIONS = {
    "current_date",
    "current_time",
    "current_timestamp",
    "localtime",
    "localtimestamp",
    "current_user",
    "session_user",
    "user",
    "current_role",
    "current_catalog",
    "current_schema",
}
#: PostgreSQL's internal names of the types a cast names its column after.
_PG_TYPES = {
    "bigint": "int8",
    "int8": "int8",
    "int": "int4",
    "integer": "int4",
    "int4": "int4",
    "smallint": "int2",
    "int2": "int2",
    "numeric": "numeric",
    "decimal": "numeric",
    "real": "float4",
    "float4": "float4",
    "double precision": "float8",
    "float8": "float8",
    "float": "float8",
    "text": "text",
    "varchar": "varchar",
    "character varying": "varchar",
    "char": "bpchar",
    "character": "bpchar",
    "bpchar": "bpchar",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp without time zone": "timestamp",
    "timestamptz": "timestamptz",
    "timestamp with time zone": "timestamptz",
    "time": "time",
    "boolean": "bool",
    "bool": "bool",
    "interval": "interval",
    "uuid": "uuid",
    "json": "json",
    "jsonb": "jsonb",
    "bytea": "bytea",
}
_OPERATORS = {
    TokenType.PLUS,
    TokenType.DASH,
    TokenType.STAR,
    TokenType.SLASH,
    TokenType.MOD,
    TokenType.DPIPE,
    TokenType.EQ,
    TokenType.NEQ,
    TokenType.LT,
    TokenType.LTE,
    TokenType.GT,
    TokenType.GTE,
    TokenType.AND,
    TokenType.OR,
    TokenType.NOT,
    TokenType.IS,
    TokenType.IN,
    TokenType.LIKE,
    TokenType.ILIKE,
    TokenType.BETWEEN,
    TokenType.CARET,
    TokenType.AMP,
    TokenType.PIPE,
}


def _text(sql: str, tokens: Sequence[Token]) -> str:
    return sql[tokens[0].start : tokens[-1].end + 1]


def _depths(tokens: Sequence[Token]) -> list[int]:
    """Each token's nesting depth (parentheses, brackets, CASE ... END)."""
    out, depth = [], 0
    for t in tokens:
        if t.token_type in _CLOSE or t.token_type == TokenType.END:
            depth -= 1
        out.append(depth)
        if t.token_type in _OPEN or t.token_type == TokenType.CASE:
            depth += 1
    return out


def _projections(sql: str, tokens: Sequence[Token]) -> list[list[Token]] | None:
    """The token spans of the first SELECT's select list."""
    start = next((i for i, t in enumerate(tokens) if t.token_type == TokenType.SELECT), None)
    if start is None:
        return None
    depths = _depths(tokens)
    base = depths[start]
    i = start + 1
    while i < len(tokens) and tokens[i].token_type in (TokenType.DISTINCT, TokenType.ALL):
        if (
            tokens[i].token_type == TokenType.DISTINCT
            and i + 1 < len(tokens)
            and tokens[i + 1].token_type == TokenType.ON
        ):
            return None  # DISTINCT ON (...): not read here
        i += 1
    spans: list[list[Token]] = [[]]
    while i < len(tokens):
        t, d = tokens[i], depths[i]
        if d < base or (
            d == base and (t.text.upper() in _END_OF_LIST or t.token_type == TokenType.SEMICOLON)
        ):
            break
        if d == base and t.token_type == TokenType.COMMA:
            spans.append([])
        else:
            spans[-1].append(t)
        i += 1
    return spans if all(spans) else None


def _alias(span: list[Token]) -> tuple[list[Token], Token | None]:
    """The expression's tokens and its alias's token (``x AS a``, ``x a``)."""
    depths = _depths(span)
    if len(span) >= 3 and span[-2].token_type == TokenType.ALIAS and depths[-2] == 0:
        return span[:-2], span[-1]
    if (
        len(span) >= 2
        and depths[-1] == 0
        and _is_name(span[-1])
        and span[-2].token_type not in _OPERATORS
        and span[-2].token_type not in (TokenType.DOT, TokenType.DCOLON)
        and (
            span[-2].token_type in _CLOSE
            or span[-2].token_type
            in (TokenType.VAR, TokenType.IDENTIFIER, TokenType.NUMBER, TokenType.STRING, TokenType.END)
        )
    ):
        return span[:-1], span[-1]
    return span, None


def _identifier(token: Token, fold: bool) -> str:
    if token.token_type == TokenType.IDENTIFIER:
        return token.text
    return token.text.lower() if fold else token.text


#: Tokens that are never a name, however they are spelled.
_NOT_NAMES = {
    TokenType.NUMBER,
    TokenType.STRING,
    TokenType.SELECT,
    TokenType.FROM,
    TokenType.CASE,
    TokenType.END,
    TokenType.NULL,
    TokenType.TRUE,
    TokenType.FALSE,
    TokenType.DISTINCT,
    TokenType.ALIAS,
    TokenType.STAR,
    *_OPERATORS,
}


def _is_name(token: Token) -> bool:
    if token.token_type in (TokenType.VAR, TokenType.IDENTIFIER):
        return True
    text = token.text
    return (
        token.token_type not in _NOT_NAMES
        and bool(text)
        and not text[0].isdigit()
        and text.replace("_", "").isalnum()
    )


def _column_ref(span: list[Token]) -> Token | None:
    """The last name of ``a``, ``t.a``, ``s.t.a``."""
    if len(span) % 2 == 0:
        return None
    for i, t in enumerate(span):
        if i % 2 == 1 and t.token_type != TokenType.DOT:
            return None
        if i % 2 == 0 and not _is_name(t):
            return None
    return span[-1]


def _pg_name(sql: str, span: list[Token], dialect: str) -> str | None:
    depths = _depths(span)
    if not span:
        return None
    top = [t for t, d in zip(span, depths, strict=True) if d == 0]
    # a cast written X::type: the operand's name, else the type's
    casts = [
        i
        for i, (t, d) in enumerate(zip(span, depths, strict=True))
        if d == 0 and t.token_type == TokenType.DCOLON
    ]
    if any(t.token_type in _OPERATORS for t in top):
        return "?column?"  # an operator (x::t binds tighter: a + b::int is an operator's)
    if casts:
        last = casts[-1]
        inner = _pg_name(sql, span[:last], dialect)
        if inner not in (None, "?column?"):
            return inner
        return _pg_type(" ".join(t.text for t in span[last + 1 :]))
    first = span[0]
    if first.token_type == TokenType.CASE:
        return "case"
    if (
        first.token_type == TokenType.L_PAREN
        and span[-1].token_type == TokenType.R_PAREN
        and len(span) > 2
        and all(d >= 1 for d in depths[1:-1])
    ):
        inside = span[1:-1]
        if inside and inside[0].token_type in (TokenType.SELECT, TokenType.WITH):
            names = output_names_of_tokens(sql, inside, dialect, EngineName.POSTGRESQL, None)
            return names[0] if names and len(names) == 1 else None
        return _pg_name(sql, inside, dialect)
    if first.text.upper() == "CAST" and len(span) > 2 and span[1].token_type == TokenType.L_PAREN:
        d1 = [
            i
            for i, (t, d) in enumerate(zip(span, depths, strict=True))
            if d == 1 and t.token_type == TokenType.ALIAS
        ]
        if not d1 or span[-1].token_type != TokenType.R_PAREN:
            return None
        inner = _pg_name(sql, span[2 : d1[-1]], dialect)
        if inner not in (None, "?column?"):
            return inner
        return _pg_type(" ".join(t.text for t in span[d1[-1] + 1 : -1]))
    ref = _column_ref(span)
    if ref is not None:
        if (
            len(span) == 1
            and ref.token_type != TokenType.IDENTIFIER
            and ref.text.lower() in _PG_VALUE_FUNCTIONS
        ):
            return ref.text.lower()
        return _identifier(ref, fold=True)
    if len(span) == 1 and first.text.lower() in _PG_VALUE_FUNCTIONS:
        return first.text.lower()
    if len(span) == 1 and first.token_type in (
        TokenType.NUMBER,
        TokenType.STRING,
        TokenType.NULL,
        TokenType.TRUE,
        TokenType.FALSE,
    ):
        return "?column?"
    # a function call: name [. name] ( ... ) [FILTER (...)] [OVER (...)]
    open_at = next((i for i, t in enumerate(span) if t.token_type == TokenType.L_PAREN), None)
    if (
        open_at is None
        or open_at == 0
        or (
            _column_ref(span[:open_at]) is None
            and not (open_at == 1 and span[0].text.replace("_", "").isalnum())
        )
    ):
        return None
    rest = [t for t, d in zip(span[open_at:], depths[open_at:], strict=True) if d == 0]
    allowed = {"FILTER", "OVER", "WITHIN", "GROUP", "(", ")"}
    if any(t.text.upper() not in allowed and t.token_type not in (TokenType.VAR,) for t in rest):
        return None
    return _identifier(span[open_at - 1], fold=True)


def _unwrapped(span: list[Token]) -> list[Token]:
    """``span`` without parentheses around all of it (``(t.id)`` names as ``t.id`` does)."""
    while (
        len(span) > 2 and span[0].token_type == TokenType.L_PAREN and span[-1].token_type == TokenType.R_PAREN
    ):
        depths = _depths(span)
        if not all(d >= 1 for d in depths[1:-1]):
            break
        span = span[1:-1]
    return span


def _pg_type(text: str) -> str | None:
    base = text.split("(")[0].strip().lower()
    base = " ".join(base.split())
    return _PG_TYPES.get(base)


def output_names_of_tokens(
    sql: str, tokens: Sequence[Token], dialect: str, family: EngineName, catalog: Catalog | None
) -> list[str] | None:
    spans = _projections(sql, tokens)
    if spans is None:
        return None
    out: list[str] = []
    for span in spans:
        expr, alias = _alias(span)
        if (
            any(t.token_type == TokenType.STAR for t in expr)
            and len(expr) <= 3
            and expr[-1].token_type == TokenType.STAR
        ):
            return None  # * or t.*: the columns it expands to
        if alias is not None:
            out.append(_identifier(alias, fold=family == EngineName.POSTGRESQL))
            continue
        if any(t.token_type in (TokenType.PLACEHOLDER, TokenType.PARAMETER, TokenType.COLON) for t in expr):
            return None  # the name would hold the value bound
        ref = _column_ref(_unwrapped(expr))
        if family == EngineName.POSTGRESQL:
            name = _pg_name(sql, expr, dialect)
        elif ref is not None and family == EngineName.SQLITE:
            name = _declared(ref, catalog)
        elif ref is not None:
            name = _identifier(ref, fold=False)
        elif len(expr) == 1 and expr[0].token_type == TokenType.STRING and family != EngineName.SQLITE:
            name = expr[0].text  # MySQL names a string literal by its value
        else:
            name = _text(sql, expr).strip()
            if len(name) > 255:
                return None
        if name is None:
            return None
        out.append(name)
    return out


def _declared(ref: Token, catalog: Catalog | None) -> str:
    """SQLite names a column by its declaration, whatever the case it is written in."""
    name = ref.text
    if catalog is not None:
        for table in catalog.tables:
            column = table.column(name) if ref.token_type != TokenType.IDENTIFIER else None
            if column is not None:
                return column.name.value
    return name


def output_names(sql: str, traits: EngineTraits, catalog: Catalog | None = None) -> list[str] | None:
    """The names ``traits``' engine gives the result columns of ``sql`` (a SELECT, as sent), in
    order; None when dbarch cannot tell (see the module docstring)."""
    dialect = traits.sqlglot_dialect
    try:
        tokens = sqlglot.Dialect.get_or_raise(dialect).tokenize(sql)
    except SqlglotError:
        return None
    family = EngineName.MARIADB if traits.engine == EngineName.MYSQL else traits.engine
    return output_names_of_tokens(sql, tokens, dialect, family, catalog)


def _first_select(tree: exp.Expr) -> exp.Select | None:
    """The SELECT whose select list names the result: the first branch of a UNION, the inside of
    ``SELECT * FROM (...) AS u`` (a UNION ordered and cut as a whole)."""
    while True:
        while isinstance(tree, (exp.Union, exp.Subquery, exp.Paren)):
            tree = tree.this
        if not isinstance(tree, exp.Select):
            return None
        from_ = tree.args.get("from_") or tree.args.get("from")
        inner = from_.this if from_ is not None else None
        star_of_one = (
            len(tree.expressions) == 1
            and isinstance(tree.expressions[0], exp.Star)
            and not tree.args.get("joins")
            and isinstance(inner, exp.Subquery)
        )
        if not star_of_one or inner is None:
            return tree
        tree = inner


def with_output_names(sql: str, names: Sequence[str], dialect: str) -> str | None:
    """``sql`` (a SELECT or a UNION of them, in ``dialect``) with its result columns aliased to
    ``names`` (quoted, so every engine keeps them as they are); None when the counts differ."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except SqlglotError:
        return None
    select = _first_select(tree)
    if (
        select is None
        or len(select.expressions) != len(names)
        or any(isinstance(p, exp.Star) for p in select.expressions)
    ):
        return None
    select.set(
        "expressions",
        [
            exp.Alias(
                this=(p.this if isinstance(p, exp.Alias) else p).copy(),
                alias=exp.to_identifier(n, quoted=True),
            )
            for p, n in zip(select.expressions, names, strict=True)
        ],
    )
    return tree.sql(dialect=dialect)


__all__ = ["output_names", "with_output_names"]
