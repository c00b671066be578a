"""What the ER diagram is made of: the sizes of its text and gaps, a table's box (the rows it lists and
its size), and a laid-out drawing (boxes placed, edges as the points they run through).

:mod:`.er_layering` orders the tables into layers, :mod:`.er_layout` places them and routes the edges,
:mod:`.er_quality` measures the result; this module is what they share.
"""

from __future__ import annotations

from dataclasses import dataclass

from dbarchitect.report.er_model import ErColumn, ErRelation, ErTable
from dbarchitect.report.formatting import human_count

#: Character advance of the diagram's 12 px monospace text.
CHAR_W = 7.2
ROW_H = 18.0
HEAD_H = 26.0
PAD_X = 8.0
BADGE_W = 24.0
#: Gap between layers: columns (left to right) and rows (top to bottom).
LAYER_GAP = 96.0
ROW_GAP = 64.0
NODE_GAP = 24.0
DUMMY_GAP = 6.0
COMPONENT_GAP = 48.0
MARGIN = 24.0
#: The page's width for the diagram (the report's content width at a 1400 px window, less its frame):
#: a layout wider than this is redone top to bottom within it.
MAX_WIDTH = 1180.0
#: Longest name and type shown in full (longer ones end in an ellipsis; the tooltip has them whole).
MAX_CHARS = 30
MAX_TYPE_CHARS = 20
#: At most this many rows per table in the all-columns view (key columns are always shown).
MAX_ROWS = 14

Point = tuple[float, float]


def clip(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Box:
    """A table's box: the rows it lists, the columns it counts, its size and (once laid out) place."""

    table: ErTable
    rows: list[ErColumn]
    hidden: list[ErColumn]
    width: float
    height: float
    x: float = 0.0
    y: float = 0.0

    def row_y(self, column: str | None) -> float:
        """Offset from the box's top of a column's row centre (the header's for a column not shown)."""
        for i, c in enumerate(self.rows):
            if c.name == column:
                return HEAD_H + ROW_H * i + ROW_H / 2
        return HEAD_H / 2


def box_for(table: ErTable, all_columns: bool) -> Box:
    keys = [c for c in table.columns if c.pk]
    keys += [c for c in table.columns if not c.pk and (c.fk or c.unique)]
    others = [c for c in table.columns if c not in keys]
    room = max(0, MAX_ROWS - len(keys)) if all_columns else 0
    if len(others) == room + 1:  # a "1 more column" row takes the place the column itself would
        room += 1
    rows, hidden = keys + others[:room], others[room:]
    name_w = max([len(clip(c.name)) for c in rows] + [0])
    type_w = max([len(clip(c.type, MAX_TYPE_CHARS)) for c in rows] + [0])
    body_w = BADGE_W + (name_w + 2 + type_w) * CHAR_W
    title = clip(table.name) + (f"  {human_count(table.rows)} rows" if table.rows is not None else "")
    width = max(body_w, len(title) * CHAR_W, len(f"+ {len(hidden)} more columns") * CHAR_W) + 2 * PAD_X
    height = HEAD_H + ROW_H * (len(rows) + (1 if hidden else 0)) + 4
    return Box(table, rows, hidden, round(width), height)


@dataclass
class LaidEdge:
    relation: ErRelation
    #: The points the edge runs through, from the table drawn first (left or top) to the other.
    points: list[Point]
    #: The parent is the first table (false for an edge reversed to break a cycle).
    parent_first: bool
    #: Top to bottom: the edge leaves and enters boxes vertically.
    vertical: bool = False
    loop: bool = False


@dataclass
class Drawing:
    boxes: dict[str, Box]
    edges: list[LaidEdge]
    width: float
    height: float
