"""The MariaDB drill: a primary and a semi-synchronous replica, the generated failover.sh and
rebuild-replica.sh, mariadb-backup with the binlog for point-in-time recovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbarchitect import api
from dbarchitect.report.drill import drill_rows

BRIEF = """
name: ledger
engine: mariadb 10.11
schema:
  entities:
    accounts: {columns: {id: bigint, owner: varchar(40), balance: int}, primary_key: [id]}
tables:
  accounts: {rows: 1M, growth: 10000/day}
workload:
  - name: open_account
    sql: INSERT INTO accounts (id, owner, balance) VALUES (:id, :owner, 0)
    rate: 30/s
  - name: deposit
    sql: UPDATE accounts SET balance = balance + :amount WHERE id = :id
    rate: 30/s
  - name: owners
    sql: SELECT owner, sum(balance) FROM accounts GROUP BY owner ORDER BY 2 DESC LIMIT 10
    rate: 1/min
availability: {uptime: 99.9%, rpo: 0s, rto: 1min}
"""


@pytest.mark.long
@pytest.mark.usefixtures("mariadb_drill_tools")
def test_semi_synchronous_failover_loses_no_acknowledged_commit_over_five_kills(
    tmp_path: Path, scratch: Path
) -> None:
    path = tmp_path / "brief.yaml"
    path.write_text(BRIEF)
    result = api.drill_brief(
        path,
        scratch_dir=scratch,
        scale=0.005,
        kills=5,
        async_kills=1,
        rate=40,
        log_seconds=3,
        second_scale=False,
    )
    assert result.engine.startswith("MariaDB")
    assert result.replication == "synchronous (strict)"
    assert [k.replication for k in result.kills] == ["synchronous (strict)"] * 5 + ["asynchronous"]
    assert [k.lost for k in result.kills[:5]] == [0] * 5, [k.lost_ids for k in result.kills]
    assert result.lost_commits == 0
    assert all(k.acked_before > 0 and k.failover_s is not None and k.failover_s < 60 for k in result.kills)
    # the failed primary was rebuilt and became the replica: each kill hits the previous survivor
    for before, after in zip(result.kills, result.kills[1:], strict=False):
        assert after.killed == before.new_primary
    # under asynchronous replication the loss is measured and reported, not judged
    async_kill = result.kills[-1]
    assert len(async_kill.lost_ids) == min(async_kill.lost, 10)
    async_row = next(
        r for r in drill_rows(result) if r["what"].startswith("acknowledged commits lost (asynchronous")
    )
    assert async_row["ok"] is None and async_row["measured"].startswith(f"{async_kill.lost} of")
    (restore,) = result.restores
    assert restore.target is not None and restore.tables_checked == 2 and restore.mismatched == ()
    assert result.log is not None and result.log.ratio is not None and 0.5 <= result.log.ratio <= 2.0
    assert result.temp is not None and result.temp.temp_bytes_generated <= result.temp.temp_bytes_default
    # the thread pool's wait, from its sampled queue (Little's law)
    assert result.temp.pool_wait_ms is not None and result.temp.pool_wait_ms >= 0
    assert any(
        r["what"].startswith("pool wait (per statement in the thread pool") for r in drill_rows(result)
    )
    assert list(scratch.iterdir()) == []
    assert any(r["what"].startswith("failover") for r in drill_rows(result))
