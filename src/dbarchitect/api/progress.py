"""Progress of the api's long operations: a stage name, steps done and expected."""

from __future__ import annotations

from collections.abc import Callable

from dbarchitect.advisors.indexes.advisor import Progress

#: Progress of a long operation: ``progress(stage, done, total)`` (``total`` 0 when unknown), called
#: as each stage starts and as it advances; the CLI shows it on standard error.
StageProgress = Callable[[str, int, int], None]


def _stage(progress: StageProgress | None, stage: str, done: int = 0, total: int = 0) -> None:
    if progress is not None:
        progress(stage, done, total)


def _index_progress(progress: StageProgress | None) -> Progress | None:
    """The index search's ``(steps done, expected, best cost)`` as a stage of a longer operation."""
    if progress is None:
        return None
    return lambda done, total, _best: progress("choosing indexes", done, total)
