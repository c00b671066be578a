"""How one statement runs under a layout: the key values it pins on each distributed table, or why
it must touch every shard. This is the single-shard rule, stated exactly:

A statement is **single-shard** when (1) every distributed table it touches is *pinned* — its
distribution column is compared with one value: ``col = :p`` / ``col = 'lit'`` / ``col IN (:p)``
(one entry), an INSERT ... VALUES giving it one value, or an equality join (inner, outer or semi)
to a column so pinned, transitively (``o.o_w_id = :w_id AND ol.ol_w_id = o.o_w_id`` pins both);
(2) all those tables are in one co-location group; (3) all pins are the *same value*: the same
named parameter or literal, or — inside a transaction — parameters the brief relates
(``equals`` with a probability: then the statement is single-shard with that probability); and
(4) every other table it touches is a reference table that it only reads. Otherwise it is
multi-shard, for one of these reasons, each reported with the table and column:

- a distributed table is not pinned (no equality on its distribution column, an IN list of several
  values, a table read twice without an equality join on the key): the statement fans out to
  every shard;
- it writes a reference table: the write goes to every node (Citus replicates it with two-phase
  commit; Vitess writes the source keyspace and copies it to every shard);
- pins on different co-location groups, or different values, land on different shards (with
  probability 1 - 1/S for two independent values over S shards).

Each ``?`` is a value of its own (nothing says two ``?`` are equal). Joins between distributed
tables that are not on their co-located distribution columns are flagged when the statement also
fans out: Citus runs them as repartition joins, which are off by default
(``citus.enable_repartition_joins``). An UPDATE that sets a distribution column is flagged: Citus
refuses it ("modifying the partition value of rows is not allowed") and Vitess cannot move a row
between shards with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dbarchitect.advisors.sharding.layout import Layout
from dbarchitect.model.names import Name
from dbarchitect.model.workload import ColumnRef, Predicate, PredicateKind, Statement, StatementKind

#: A value a statement pins a key to: (``param``, name), (``literal``, text) or (``anon``, unique id).
Var = tuple[str, str]

#: Join kinds that make two columns equal on every row the statement touches.
_EQUALITY_JOINS = frozenset({"inner", "left", "right", "full", "semi"})


@dataclass(frozen=True)
class KeyAccess:
    """A distributed table pinned to one key value (a value per distribution column)."""

    table: Name
    key: tuple[Var, ...]


@dataclass(frozen=True)
class Route:
    """How a statement runs under a layout (see the module docstring for the rule)."""

    statement: str
    accesses: tuple[KeyAccess, ...] = ()
    #: Why a distributed table is not pinned: the statement touches every shard.
    fanout: tuple[str, ...] = ()
    #: Writes to reference tables: every node.
    broadcast: tuple[str, ...] = ()
    #: Joins between distributed tables that are not on co-located distribution columns.
    repartition: tuple[str, ...] = ()
    #: What the distributed engine refuses (an UPDATE of a distribution column).
    refused: tuple[str, ...] = ()

    @property
    def everywhere(self) -> bool:
        """The statement touches every shard (or every node) whatever its values."""
        return bool(self.fanout or self.broadcast)


class _Classes:
    """Union-find over the columns of one statement, joined by equality."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}

    @staticmethod
    def node(ref: ColumnRef) -> tuple[str, str]:
        return (ref.table.key, ref.column.key)

    def find(self, node: tuple[str, str]) -> tuple[str, str]:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _var(statement: Statement, predicate: Predicate, n: int) -> Var | None:
    if predicate.parameter is not None:
        return ("param", predicate.parameter)
    if predicate.value is None:
        return None  # compared with an outer column (a join) or an expression
    if predicate.value == "?":
        return ("anon", f"{statement.fingerprint}:{predicate.column}:{n}")
    return ("literal", predicate.value)


def _pins(statement: Statement, inserted: bool = True) -> Iterable[tuple[Predicate, bool]]:
    """Predicates that compare a column with values: (predicate, single value?)."""
    for access in statement.tables:
        for predicate in (*access.predicates, *(access.inserted_values if inserted else ())):
            if predicate.kind == PredicateKind.EQ:
                yield predicate, True
            elif predicate.kind == PredicateKind.IN:
                yield predicate, predicate.values == 1


def describe_var(var: Var) -> str:
    kind, text = var
    if kind == "param":
        return f":{text}"
    if kind == "literal":
        return repr(text)
    return "a ? parameter"


def route(statement: Statement, layout: Layout) -> Route:
    """How ``statement`` runs under ``layout`` (see the module docstring)."""
    classes = _Classes()
    self_joined: set[str] = set()
    for join in statement.joins:
        if join.kind not in _EQUALITY_JOINS:
            continue
        classes.union(classes.node(join.left), classes.node(join.right))
        if join.left.table.key == join.right.table.key and join.left.column.key == join.right.column.key:
            self_joined.add(join.left.table.key + "." + join.left.column.key)
    values: dict[tuple[str, str], list[Var]] = {}
    several: dict[tuple[str, str], str] = {}
    for n, (predicate, single) in enumerate(_pins(statement)):
        root = classes.find(classes.node(predicate.column))
        if not single:
            several.setdefault(root, f"{predicate.column} IN ({predicate.values} values)")
            continue
        var = _var(statement, predicate, n)
        if var is not None and var not in values.setdefault(root, []):
            values[root].append(var)
    accesses: list[KeyAccess] = []
    fanout: list[str] = []
    broadcast: list[str] = []
    refused: list[str] = []
    for access in statement.tables:
        placement = layout.placement(access.table)
        if placement is None:
            continue
        if not placement.distributed:
            if access.is_write_target:
                broadcast.append(f"writes reference table {access.table} (a copy on every node)")
            continue
        if statement.kind == StatementKind.UPDATE and access.is_write_target:
            moved = [c for c in placement.columns if any(w.matches(c) for w in access.columns_written)]
            refused.extend(f"sets distribution column {access.table}.{c}" for c in moved)
        keys: list[list[Var]] = []
        for column in placement.columns:
            ref = ColumnRef(access.table, column)
            root = classes.find(classes.node(ref))
            label = f"{access.table}.{column}"
            if access.occurrences > 1 and f"{access.table.key}.{column.key}" not in self_joined:
                fanout.append(f"{access.table} is read {access.occurrences} times, not all on one {label}")
                break
            if root in several:
                fanout.append(f"{label} is given several values ({several[root]})")
                break
            found = values.get(root, [])
            if not found:
                fanout.append(f"no single value for {label}")
                break
            keys.append(found)
        else:
            # one access per combination of the values given (several values must all be equal)
            first = tuple(k[0] for k in keys)
            accesses.append(KeyAccess(access.table, first))
            for i, options in enumerate(keys):
                for extra in options[1:]:
                    accesses.append(KeyAccess(access.table, (*first[:i], extra, *first[i + 1 :])))
    repartition: list[str] = []
    if fanout:
        for join in statement.joins:
            left, right = layout.placement(join.left.table), layout.placement(join.right.table)
            if left is None or right is None or not (left.distributed and right.distributed):
                continue
            on_keys = (
                len(left.columns) == 1
                and len(right.columns) == 1
                and left.columns[0].matches(join.left.column)
                and right.columns[0].matches(join.right.column)
                and left.group == right.group
            )
            if not on_keys:
                repartition.append(f"{join.left} = {join.right}")
    return Route(
        statement.name,
        tuple(accesses),
        tuple(dict.fromkeys(fanout)),
        tuple(dict.fromkeys(broadcast)),
        tuple(dict.fromkeys(repartition)),
        tuple(dict.fromkeys(refused)),
    )


def pinned_columns(statement: Statement, inserted: bool = True) -> dict[tuple[str, str], list[Var]]:
    """Every column the statement pins to one value (directly or through equality joins), with the
    values: what the advisor's candidate distribution columns come from. Keys are
    ``(table key, column key)``; ``inserted=False`` leaves out what an INSERT writes."""
    classes = _Classes()
    for join in statement.joins:
        if join.kind in _EQUALITY_JOINS:
            classes.union(classes.node(join.left), classes.node(join.right))
    by_root: dict[tuple[str, str], list[Var]] = {}
    for n, (predicate, single) in enumerate(_pins(statement, inserted)):
        if not single:
            continue
        var = _var(statement, predicate, n)
        if var is not None:
            by_root.setdefault(classes.find(classes.node(predicate.column)), []).append(var)
    out: dict[tuple[str, str], list[Var]] = {}
    for node in list(classes.parent):
        root = classes.find(node)
        if root in by_root:
            out[node] = by_root[root]
    for access in statement.tables:
        for predicate in (*access.predicates, *(access.inserted_values if inserted else ())):
            node = classes.node(predicate.column)
            root = classes.find(node)
            if root in by_root:
                out[node] = by_root[root]
    return out
