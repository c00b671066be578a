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


@pytest.mark.usefixtures("mariadb_drill_tools")
def test_semi_synchronous_failover_loses_no_acknowledged_commit(tmp_path: Path, scratch: Path) -> None:
    path = tmp_path / "brief.yaml"
    path.write_text(BRIEF)
    result = api.drill_brief(path, scratch_dir=scratch, scale=0.01, kills=2, rate=40, log_seconds=3)
    assert result.engine.startswith("MariaDB")
    assert result.replication == "synchronous (strict)"
    assert [k.lost for k in result.kills] == [0, 0]
    assert all(k.acked_before > 0 and k.failover_s is not None and k.failover_s < 60 for k in result.kills)
    # the failed primary was rebuilt and became the replica: the second kill hits the first's survivor
    assert result.kills[0].killed == result.kills[1].new_primary
    (restore,) = result.restores
    assert restore.target is not None and restore.tables_checked == 2 and restore.mismatched == ()
    assert result.log is not None and result.log.ratio is not None and 0.5 <= result.log.ratio <= 2.0
    assert result.temp is not None and result.temp.temp_bytes_generated <= result.temp.temp_bytes_default
    assert list(scratch.iterdir()) == []
    assert any(r["what"].startswith("failover") for r in drill_rows(result))
