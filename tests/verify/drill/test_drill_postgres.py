"""The PostgreSQL drill on a real 3-node Patroni cluster with etcd, PgBouncer and pgBackRest."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbarchitect import api
from dbarchitect.report.drill import drill_markdown, drill_rows

BRIEF = """
name: ledger
engine: postgresql 15
schema:
  entities:
    accounts: {{columns: {{id: bigint, owner: text, balance: int}}, primary_key: [id]}}
tables:
  accounts: {{rows: 1M, growth: 10000/day}}
workload:
  - name: open_account
    sql: INSERT INTO accounts (id, owner, balance) VALUES (:id, :owner, 0)
    rate: 30/s
  - name: deposit
    sql: UPDATE accounts SET balance = balance + :amount WHERE id = :id
    rate: 30/s
  - name: balance
    sql: SELECT balance FROM accounts WHERE id = :id
    rate: 500/s
  - name: owners
    sql: SELECT owner, sum(balance) FROM accounts GROUP BY owner ORDER BY 2 DESC LIMIT 10
    rate: 1/min
availability: {{uptime: 99.95%, rpo: {rpo}, rto: 25s}}
"""


def _brief(tmp_path: Path, rpo: str) -> Path:
    path = tmp_path / "brief.yaml"
    path.write_text(BRIEF.format(rpo=rpo))
    return path


@pytest.mark.long
@pytest.mark.usefixtures("pg_drill_tools")
def test_synchronous_cluster_loses_no_acknowledged_commit_over_five_kills_and_async_loss_is_reported(
    tmp_path: Path, scratch: Path
) -> None:
    result = api.drill_brief(
        _brief(tmp_path, "0s"),
        scratch_dir=scratch,
        scale=0.01,
        kills=5,
        async_kills=1,
        rate=40,
        ttl=8,
        log_seconds=3,
        second_scale=False,
    )
    assert result.replication == "synchronous (strict)"
    assert len(result.kills) == 6
    assert [k.replication for k in result.kills] == ["synchronous (strict)"] * 5 + ["asynchronous"]
    assert all(k.acked_before > 0 for k in result.kills)
    assert result.lost_commits == 0, [k.lost_ids for k in result.kills]
    # under asynchronous replication the loss is measured and reported, not judged
    async_kill = result.kills[-1]
    assert async_kill.acked_before > 0
    assert len(async_kill.lost_ids) == min(async_kill.lost, 10)
    async_row = next(
        r for r in drill_rows(result) if r["what"].startswith("acknowledged commits lost (asynchronous")
    )
    assert async_row["ok"] is None and async_row["measured"].startswith(f"{async_kill.lost} of")
    assert all(k.failover_s is not None and k.failover_s < 25 for k in result.kills)
    (restore,) = result.restores
    assert restore.target is not None and restore.tables_checked == 2 and restore.mismatched == ()
    assert result.log is not None and result.log.measured_bytes > 0
    assert result.log.ratio is not None and 0.5 <= result.log.ratio <= 2.0
    assert result.temp is not None and result.temp.executions > 0
    assert any("patroni --validate-config" in v for v in result.validated)
    assert any("pgbackrest" in v for v in result.validated)
    assert list(scratch.iterdir()) == []  # the drill's directory is gone, its servers stopped
    text = drill_markdown(result)
    assert "acknowledged commits lost (synchronous (strict), 5 kills)" in text
    assert any(r["what"].startswith("failover") for r in drill_rows(result))
