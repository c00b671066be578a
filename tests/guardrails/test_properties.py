"""Invariants of the linter over generated input: it never crashes on bad input, is deterministic,
and suppressing every rule file-wide leaves nothing."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import DbarchError
from dbarchitect.guardrails import lint_json, lint_sql, rule_ids
from tests.guardrails.cases_support import case_paths

ENGINES = [
    get_traits("postgresql", "15"),
    get_traits("postgresql", "11"),
    get_traits("mariadb", "10.11"),
    get_traits("mysql", "8.0"),
    get_traits("sqlite"),
]
#: Statements from every fixture, the raw material for generated migration files.
STATEMENTS = sorted(
    {
        s.strip()
        for path in case_paths("bad") + case_paths("good")
        for s in path.read_text().split(";")
        if s.strip() and not s.strip().startswith("--")
    }
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=st.text(max_size=200), engine=st.sampled_from(ENGINES))
def test_any_text_lints_or_raises_a_user_error(text: str, engine: object) -> None:
    with contextlib.suppress(DbarchError):
        lint_sql(text, engine)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(
    statements=st.lists(st.sampled_from(STATEMENTS), max_size=12),
    engine=st.sampled_from(ENGINES),
)
def test_generated_migrations_lint_deterministically(statements: list[str], engine: object) -> None:
    text = ";\n".join(statements) + ";\n"
    first = lint_sql(text, engine)  # type: ignore[arg-type]
    assert lint_json(first) == lint_json(lint_sql(text, engine))  # type: ignore[arg-type]
    for finding in first.findings:
        assert finding.span.start < finding.span.end <= len(text)
        assert finding.message.endswith(".")
    silenced = "".join(f"-- dbarch:disable-file {rule_id}\n" for rule_id in rule_ids()) + text
    assert lint_sql(silenced, engine).findings == ()  # type: ignore[arg-type]
