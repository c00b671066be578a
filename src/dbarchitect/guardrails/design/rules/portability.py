"""portability: the schema and every workload statement run on every engine of the brief.

Problem: a design promised for several engines (``engine`` and ``portable_to``) is only portable if
it runs there. For each engine the schema is rendered from the engine-neutral catalog and
**executed**, and every workload statement is transpiled and compiled with ``EXPLAIN``: SQLite in
memory always; PostgreSQL and MariaDB/MySQL when a scratch database URL is given for that engine
(the verdict's notes say which engines were not executed and why; there the statements are still
transpiled, and ``RETURNING`` on an engine without it is named). A schema the engine rejects, or a
statement that cannot be transpiled or explained, is an error. What the renderer could not express
on an engine (a partial index on MySQL, ``INCLUDE`` columns, a time-zone-aware timestamp on SQLite)
is one warning per engine with a count per kind: the schema runs, but means something weaker there;
each item is listed in the finding's details and as a ``-- note:`` line of that engine's DDL.

Bad (target PostgreSQL, ``portable_to: [sqlite]``)::

    SELECT id FROM documents WHERE body @@ to_tsquery('english', :q);  -- no full text on SQLite

Good: a statement written in the common subset, or one rewritten per engine in the application.

Fix: use the portable form the finding suggests, or drop the engine from ``portable_to``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule
from dbarchitect.guardrails.rule import Level

_RENAME_HINT = "rename it in the brief or schema so every engine of the brief keeps it apart"
#: What to do about a render error, by the feature the note names (default: two names that collide).
_ERROR_HINTS = {
    "type": "use a type every engine of the brief has (the finding names the column), or drop the engine",
}


class Portability(DesignRule):
    id = "portability"
    category = Category.PORTABILITY
    summary = "The schema or a workload statement does not run (or means less) on an engine of the brief."
    level = Level.ERROR

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        for run in context.facts.runs:
            if len(run.render_notes) == 1:
                table, feature, message = run.render_notes[0]
                yield DesignDraft(
                    f"cannot express {feature}: {message}",
                    hint="accept the weaker form on this engine, or keep the design to features every "
                    "engine of the brief has",
                    table=table or None,
                    engine=run.engine,
                    level=Level.WARNING,
                )
            elif run.render_notes:
                kinds = Counter(feature for _, feature, _ in run.render_notes)
                counted = ", ".join(f"{n} {feature}" for feature, n in sorted(kinds.items(), key=_most))
                total = len(run.render_notes)
                tables = sorted({table for table, _, _ in run.render_notes if table})
                yield DesignDraft(
                    f"{run.engine} cannot express {total} thing{'s' if total > 1 else ''} in this design "
                    f"({counted}) on {len(tables)} table{'s' if len(tables) != 1 else ''}: its schema runs "
                    "but means less there; each is listed in the details and as a `-- note:` line of its DDL",
                    hint="accept the weaker forms on this engine, or keep the design to features every "
                    "engine of the brief has",
                    engine=run.engine,
                    level=Level.WARNING,
                    details=tuple(
                        f"{table}: {feature}: {message}" if table else f"{feature}: {message}"
                        for table, feature, message in sorted(run.render_notes)
                    ),
                )
            for table, feature, message in run.render_errors:
                yield DesignDraft(
                    message,
                    hint=_ERROR_HINTS.get(
                        feature,
                        "rename it in the brief or schema so every engine of the brief keeps it apart",
                    ),
                    table=table or None,
                    engine=run.engine,
                )
            if run.schema_error is not None:
                yield DesignDraft(
                    f"the rendered schema fails to execute: {run.schema_error}",
                    hint="see the rendered DDL (`dbarch design`) for this engine",
                    engine=run.engine,
                )
            for statement, error in run.statement_errors:
                yield DesignDraft(
                    f"does not run: {error}",
                    hint="write it in SQL every engine of the brief accepts, or drop the engine from "
                    "portable_to",
                    statement=statement,
                    engine=run.engine,
                )


def _most(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])
