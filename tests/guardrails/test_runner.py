"""The lint engine: suppression comments, level config, unknown ids, file state, renderers, SARIF."""

from __future__ import annotations

import json

import pytest

from dbarchitect.engines.registry import get_traits
from dbarchitect.guardrails import (
    Level,
    RuleConfigError,
    all_rules,
    explain_rule,
    lint_json,
    lint_sarif,
    lint_sql,
    lint_text,
)
from dbarchitect.model.catalog import TableStats

PG = get_traits("postgresql", "15")
MARIADB = get_traits("mariadb", "10.11")


def ids(text: str, **kwargs: object) -> list[str]:
    return [f.rule_id for f in lint_sql(text, PG, **kwargs).findings]  # type: ignore[arg-type]


# --- suppression -----------------------------------------------------------------------------------


def test_disable_on_the_same_line_silences_only_that_rule() -> None:
    sql = "SET lock_timeout = '2s';\nDROP TABLE legacy; -- dbarch:disable dropping-table\nDROP TABLE other;\n"
    assert ids(sql) == ["dropping-table"]
    assert lint_sql(sql, PG).findings[0].span.line == 3


def test_disable_on_the_line_before_covers_the_next_statement_only() -> None:
    sql = (
        "SET lock_timeout = '2s';\n"
        "-- dbarch:disable dropping-column, renaming-column\n"
        "ALTER TABLE t DROP COLUMN a;\n"
        "ALTER TABLE t RENAME COLUMN b TO c;\n"
    )
    assert ids(sql) == ["renaming-column"]


def test_disable_inside_a_multi_line_statement() -> None:
    sql = "SET lock_timeout = '2s';\nALTER TABLE t\n  DROP COLUMN a; -- dbarch:disable dropping-column\n"
    assert ids(sql) == []


def test_disable_file_silences_the_rule_everywhere() -> None:
    sql = "DROP TABLE a;\n-- dbarch:disable-file dropping-table\nDROP TABLE b;\n"
    assert "dropping-table" not in ids(sql)
    assert "missing-lock-timeout" in ids(sql)


def test_unknown_rule_in_a_comment_is_an_error_with_did_you_mean() -> None:
    with pytest.raises(RuleConfigError) as info:
        lint_sql("DROP TABLE a; -- dbarch:disable droping-table\n", PG, file="m.sql")
    message = str(info.value)
    assert "m.sql:1" in message and "droping-table" in message and "dropping-table" in message


def test_disable_without_a_rule_id_is_an_error() -> None:
    with pytest.raises(RuleConfigError, match="names no rule"):
        lint_sql("DROP TABLE a; -- dbarch:disable\n", PG)


# --- config ------------------------------------------------------------------------------------------


def test_config_turns_a_rule_off_or_changes_its_level() -> None:
    sql = "SET lock_timeout = '2s';\nDROP TABLE a;\n"
    assert lint_sql(sql, PG, config={"dropping-table": "off"}).findings == ()
    result = lint_sql(sql, PG, config={"dropping-table": "warning"})
    assert [f.level for f in result.findings] == [Level.WARNING]
    assert result.exit_code == 0
    assert lint_sql(sql, PG).exit_code == 1


def test_config_can_raise_a_warning_to_an_error() -> None:
    sql = "CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);\n"
    assert lint_sql(sql, PG).exit_code == 0
    assert lint_sql(sql, PG, config={"timestamp-without-time-zone": "error"}).exit_code == 1


def test_unknown_rule_or_level_in_config_is_an_error() -> None:
    with pytest.raises(RuleConfigError, match="did you mean 'dropping-table'"):
        lint_sql("SELECT 1;", PG, config={"droping-table": "off"})
    with pytest.raises(RuleConfigError, match="error, warning or off"):
        lint_sql("SELECT 1;", PG, config={"dropping-table": "fatal"})


# --- state across statements -----------------------------------------------------------------------


def test_set_local_lock_timeout_ends_with_the_transaction() -> None:
    sql = "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nALTER TABLE t ADD COLUMN b int;\n"
    result = lint_sql(sql, PG)
    assert [(f.rule_id, f.span.line) for f in result.findings] == [("missing-lock-timeout", 5)]


def test_lock_timeout_zero_or_default_counts_as_unset() -> None:
    assert ids("SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN a int;\n") == ["missing-lock-timeout"]
    assert ids("SET lock_timeout TO DEFAULT;\nALTER TABLE t ADD COLUMN a int;\n") == ["missing-lock-timeout"]


def test_set_config_sets_the_lock_timeout() -> None:
    assert ids("SELECT set_config('lock_timeout', '2s', false);\nALTER TABLE t ADD COLUMN a int;\n") == []
    local = "BEGIN;\nSELECT pg_catalog.set_config('lock_timeout', '2s', true);\nCOMMIT;\nALTER TABLE t ADD COLUMN a int;\n"
    assert ids(local) == ["missing-lock-timeout"]


def test_tables_created_in_the_file_are_not_reported() -> None:
    sql = (
        "CREATE TABLE t (id bigint PRIMARY KEY, a text);\n"
        "CREATE INDEX t_a_idx ON t (a);\n"
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n"
        "ALTER TABLE t RENAME TO t2;\n"
        "ALTER TABLE t2 DROP COLUMN a;\n"
    )
    assert ids(sql) == []


def test_sizes_tell_small_tables_from_big_ones() -> None:
    sql = "SET lock_timeout = '2s';\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n"
    assert ids(sql, sizes={"t": TableStats(rows=10_000)}) == []
    assert ids(sql, sizes={"T": TableStats(rows=5_000_000)}) == ["setting-not-null"]
    assert ids(sql) == ["setting-not-null"]


def test_rules_run_only_on_their_engines() -> None:
    sql = "SET SESSION lock_wait_timeout = 5;\nCREATE INDEX i ON t (a) ALGORITHM=INPLACE LOCK=NONE;\n"
    assert [f.rule_id for f in lint_sql(sql, MARIADB).findings] == []
    result = lint_sql(sql, MARIADB)
    assert "require-concurrent-index-creation" not in result.rules
    assert "mysql-algorithm-copy" in result.rules


def test_unparseable_statement_is_an_error_and_does_not_stop_the_lint() -> None:
    sql = "SET lock_timeout = '2s';\nCREATE FOO BAR BAZ;\nDROP TABLE a;\n"
    result = lint_sql(sql, PG, file="m.sql")
    assert [f.rule_id for f in result.findings] == ["invalid-sql", "dropping-table"]
    invalid = result.findings[0]
    assert (invalid.span.line, invalid.span.column) == (2, 8)  # PostgreSQL's own position: "FOO"
    assert 'syntax error at or near "FOO"' in invalid.message
    assert result.invalid == 1 and result.exit_code == 2


def test_spans_point_at_the_statement() -> None:
    sql = "SET lock_timeout = '2s';\n\n  DROP TABLE\n    legacy;\n"
    (finding,) = lint_sql(sql, PG, file="m.sql").findings
    assert (finding.span.line, finding.span.column, finding.span.end_line) == (3, 3, 4)
    assert sql[finding.span.start : finding.span.end] == "DROP TABLE\n    legacy"


# --- renderers ---------------------------------------------------------------------------------------

BAD = "CREATE INDEX orders_idx ON orders (customer_id);\nDROP TABLE legacy;\nCREATE TABLE e (id int PRIMARY KEY);\n"


def test_text_report_lists_findings_and_counts() -> None:
    text = lint_text(lint_sql(BAD, PG, file="m.sql"))
    heads = [line.split(" ", 3)[:3] for line in text.splitlines() if line.startswith("m.sql:")]
    assert heads == [
        ["m.sql:1:1:", "warning", "[missing-lock-timeout]"],
        ["m.sql:1:1:", "error", "[require-concurrent-index-creation]"],
        ["m.sql:2:1:", "error", "[dropping-table]"],
        ["m.sql:3:17:", "warning", "[integer-primary-key]"],
    ]
    assert text.rstrip().endswith("2 error(s), 2 warning(s) in 3 statement(s) (PostgreSQL 15)")


def test_json_report_round_trips() -> None:
    result = lint_sql(BAD, PG, file="m.sql")
    data = json.loads(lint_json(result))
    assert data["errors"] == 2 and data["warnings"] == 2
    assert [f["rule"] for f in data["findings"]] == [f.rule_id for f in result.findings]
    first = data["findings"][1]
    assert (
        first["line"] == 1
        and first["file"] == "m.sql"
        and first["fix"]["replacement"].startswith("CREATE INDEX CONCURRENTLY")
    )


def test_sarif_has_the_required_structure() -> None:
    result = lint_sql(BAD, PG, file="m.sql")
    log = lint_sarif(result)
    json.dumps(log)  # serializable
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] and isinstance(driver["rules"], list)
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for descriptor in driver["rules"]:
        assert descriptor["shortDescription"]["text"]
        assert descriptor["defaultConfiguration"]["level"] in ("error", "warning", "note", "none")
    assert len(run["results"]) == len(result.findings)
    for item, finding in zip(run["results"], result.findings, strict=True):
        assert item["ruleId"] == finding.rule_id
        assert rule_ids[item["ruleIndex"]] == item["ruleId"]
        assert item["level"] == finding.level.value
        assert item["message"]["text"].startswith(finding.message)
        (location,) = item["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "m.sql"
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
        for fix in item.get("fixes", []):
            (change,) = fix["artifactChanges"]
            (replacement,) = change["replacements"]
            # the replacement replaces the whole statement; the finding may point inside it
            assert finding.fix is not None and finding.fix.span is not None
            statement = finding.fix.span
            assert replacement["deletedRegion"] == {
                "startLine": statement.line,
                "startColumn": statement.column,
                "endLine": statement.end_line,
                "endColumn": statement.end_column + 1,
            }
            assert (statement.line, statement.column) <= (region["startLine"], region["startColumn"])
            assert replacement["insertedContent"]["text"] == finding.fix.replacement  # type: ignore[union-attr]


def test_sarif_with_no_findings_is_still_a_valid_run() -> None:
    log = lint_sarif(lint_sql("SELECT 1;", PG))
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"]


def test_explain_rule_prints_the_module_docstring() -> None:
    for rule in all_rules():
        text = explain_rule(rule.id)
        assert text.startswith(f"{rule.id}:")
        assert "Bad" in text and "Fix" in text
    with pytest.raises(RuleConfigError, match="did you mean"):
        explain_rule("vacuum-ful")


def test_hash_comments_suppress_on_mysql_family() -> None:
    sql = "SET SESSION lock_wait_timeout = 5;\n# dbarch:disable dropping-table\nDROP TABLE legacy;\n"
    assert [f.rule_id for f in lint_sql(sql, MARIADB).findings] == []


def test_a_table_created_in_the_file_is_new_under_any_qualified_name() -> None:
    sql = 'CREATE TABLE public."Audit" (id int);\nALTER TABLE public."Audit" OWNER TO postgres;\n'
    assert ids(sql) == []
