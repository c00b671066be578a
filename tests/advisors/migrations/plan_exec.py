"""Apply a migration plan's steps to a real database, the way an operator following it would: each
step's session settings, then its statements (in one transaction when the step says so), repeated
while a backfill still changes rows, then the step's check query, which must return true."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import psycopg

from dbarchitect.advisors.migrations.plan import Step
from tests.engine_exec import mariadb_connect


class StepFailed(AssertionError):
    pass


def _fail(i: int, step: Step, stmt: str, exc: Exception) -> StepFailed:
    return StepFailed(f"step {i} ({step.description}) failed on {stmt!r}: {exc}")


def apply_postgres(url: str, steps: Sequence[Step]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for i, step in enumerate(steps, start=1):
            for s in step.session_sql:
                conn.execute(s)  # type: ignore[arg-type]
            for stmt in step.sql:
                try:
                    while True:
                        if step.transactional:
                            with conn.transaction():
                                cur = conn.execute(stmt)  # type: ignore[arg-type]
                        else:
                            cur = conn.execute(stmt)  # type: ignore[arg-type]
                        if not step.repeat_until_no_rows or cur.rowcount == 0:
                            break
                except psycopg.Error as exc:
                    raise _fail(i, step, stmt, exc) from None
            if step.check_sql:
                row = conn.execute(step.check_sql).fetchone()  # type: ignore[arg-type]
                if row is None or row[0] is not True:
                    raise StepFailed(f"step {i} ({step.description}) check failed: {step.check_sql}")


def apply_mariadb(url: str, steps: Sequence[Step]) -> None:
    conn = mariadb_connect(url)
    try:
        with conn.cursor() as cur:
            for i, step in enumerate(steps, start=1):
                for s in step.session_sql:
                    cur.execute(s)
                for stmt in step.sql:
                    try:
                        while True:
                            changed = cur.execute(stmt)
                            if not step.repeat_until_no_rows or changed == 0:
                                break
                    except Exception as exc:
                        raise _fail(i, step, stmt, exc) from None
                if step.check_sql:
                    cur.execute(step.check_sql)
                    row = cur.fetchone()
                    if row is None or not row[0]:
                        raise StepFailed(f"step {i} ({step.description}) check failed: {step.check_sql}")
    finally:
        conn.close()


def apply_sqlite(path: Path, steps: Sequence[Step]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for i, step in enumerate(steps, start=1):
            for s in step.session_sql:
                conn.execute(s)
            if step.transactional:
                conn.execute("BEGIN")
            for stmt in step.sql:
                try:
                    while True:
                        cur = conn.execute(stmt)
                        if not step.repeat_until_no_rows or cur.rowcount == 0:
                            break
                except sqlite3.Error as exc:
                    if step.transactional:
                        conn.execute("ROLLBACK")
                    raise _fail(i, step, stmt, exc) from None
            if step.transactional:
                conn.execute("COMMIT")
            if step.check_sql:
                row = conn.execute(step.check_sql).fetchone()
                if row is None or not row[0]:
                    raise StepFailed(f"step {i} ({step.description}) check failed: {step.check_sql}")
    finally:
        conn.close()
