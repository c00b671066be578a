"""Normalization theory over attribute names: closures, keys, normal forms, 3NF synthesis, BCNF split.

Pure functions over :class:`Dependency` values (functional ``a, b -> c`` and multivalued ``a ->> b``);
nothing here knows about SQL or engines. The algorithms are the textbook ones:

- attribute closure and the membership test (Beeri & Bernstein, 1979);
- minimal (canonical) cover: single-attribute right sides, no extraneous left attributes, no
  redundant dependencies;
- candidate keys: attributes never on a right side are in every key, attributes only on right sides
  are in none, the rest are searched by increasing size with superset pruning;
- normal forms 2NF / 3NF / BCNF (Codd, 1971-1974), 4NF from multivalued dependencies (Fagin, 1977);
- 3NF synthesis (Bernstein, 1976) with the key relation added when no relation holds a key;
- BCNF decomposition by repeated splitting on a violating dependency (lossless by Heath's theorem);
- the chase for lossless joins (Aho, Beeri & Ullman, 1979) and the dependency-preservation test
  that grows ``Z`` by ``closure(Z ∩ Ri) ∩ Ri`` (Ullman, *Principles of Database Systems*).

Every result is deterministic: attribute sets are reported as sorted tuples, and the choices the
algorithms make (which violation to split on first) follow that order. Projecting dependencies onto
a sub-relation is exponential in its width; relations wider than :data:`MAX_PROJECTION_WIDTH` raise
:class:`NormalizationLimit` rather than running for hours.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MAX_PROJECTION_WIDTH = 20
"""Widest relation whose dependencies are projected by enumerating subsets (2**20 closures)."""

AttrSet = frozenset[str]


class NormalizationLimit(ValueError):
    """A relation is too wide for an exponential step (projection of dependencies, key search)."""


def _attrs(items: Iterable[str]) -> AttrSet:
    return frozenset(items)


def _fmt(attrs: Iterable[str]) -> str:
    return ", ".join(sorted(attrs))


@dataclass(frozen=True, order=True)
class Dependency:
    """``lhs -> rhs`` (functional) or ``lhs ->> rhs`` (multivalued, ``multivalued=True``)."""

    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    multivalued: bool = False

    @staticmethod
    def of(lhs: Iterable[str], rhs: Iterable[str], *, multivalued: bool = False) -> Dependency:
        """Build a dependency with its sides sorted and deduplicated."""
        return Dependency(tuple(sorted(set(lhs))), tuple(sorted(set(rhs))), multivalued)

    @property
    def left(self) -> AttrSet:
        return frozenset(self.lhs)

    @property
    def right(self) -> AttrSet:
        return frozenset(self.rhs)

    def is_trivial(self) -> bool:
        return self.right <= self.left

    def attributes(self) -> AttrSet:
        return self.left | self.right

    def __str__(self) -> str:
        arrow = "->>" if self.multivalued else "->"
        return f"{_fmt(self.lhs)} {arrow} {_fmt(self.rhs)}"


_FD_TEXT = re.compile(r"^\s*(?P<lhs>[^-]*?)\s*(?P<arrow>->>|->|→→|→)\s*(?P<rhs>.*?)\s*$")


def parse_dependency(text: str) -> Dependency:
    """Parse ``"a, b -> c, d"`` (functional) or ``"a ->> b"`` (multivalued).

    Raises ``ValueError`` with the expected shape when the text is not a dependency.
    """
    match = _FD_TEXT.match(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not a dependency; write it as 'a, b -> c' (or 'a ->> b' for a multivalued one)"
        )
    lhs = [part.strip() for part in match["lhs"].split(",") if part.strip()]
    rhs = [part.strip() for part in match["rhs"].split(",") if part.strip()]
    if not lhs or not rhs:
        side = "left" if not lhs else "right"
        raise ValueError(f"{text!r} has an empty {side} side; write it as 'a, b -> c'")
    bad = [name for name in (*lhs, *rhs) if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", name)]
    if bad:
        raise ValueError(f"{text!r}: {bad[0]!r} is not an attribute name; write it as 'a, b -> c'")
    return Dependency.of(lhs, rhs, multivalued=match["arrow"] in ("->>", "→→"))


def parse_dependencies(texts: Iterable[str]) -> tuple[Dependency, ...]:
    """Parse several dependencies (see :func:`parse_dependency`)."""
    return tuple(parse_dependency(text) for text in texts)


def _functional(deps: Iterable[Dependency]) -> tuple[Dependency, ...]:
    return tuple(d for d in deps if not d.multivalued)


# --- closure, implication, covers -------------------------------------------------------------


def closure(attrs: Iterable[str], fds: Iterable[Dependency]) -> AttrSet:
    """The set of attributes functionally determined by ``attrs`` under ``fds`` (``attrs+``)."""
    result = set(attrs)
    pending = [d for d in _functional(fds)]
    changed = True
    while changed:
        changed = False
        rest: list[Dependency] = []
        for dep in pending:
            if dep.left <= result:
                if not dep.right <= result:
                    result |= dep.right
                    changed = True
            else:
                rest.append(dep)
        pending = rest
    return frozenset(result)


def implies(fds: Iterable[Dependency], dep: Dependency) -> bool:
    """Whether ``fds`` logically imply the functional dependency ``dep``."""
    return dep.right <= closure(dep.left, fds)


def equivalent(first: Iterable[Dependency], second: Iterable[Dependency]) -> bool:
    """Whether two sets of functional dependencies imply each other."""
    a, b = tuple(_functional(first)), tuple(_functional(second))
    return all(implies(a, d) for d in b) and all(implies(b, d) for d in a)


def minimal_cover(fds: Iterable[Dependency]) -> tuple[Dependency, ...]:
    """A minimal cover: single right sides, no extraneous left attributes, no redundant dependency.

    Deterministic: dependencies are processed in sorted order, and the result is sorted.
    """
    split = sorted({Dependency.of(d.lhs, (a,)) for d in _functional(fds) for a in d.rhs if a not in d.left})
    reduced: list[Dependency] = []
    for dep in split:
        lhs = set(dep.lhs)
        for attr in sorted(dep.lhs):
            if len(lhs) > 1 and dep.right <= closure(lhs - {attr}, split):
                lhs.discard(attr)
        reduced.append(Dependency.of(lhs, dep.rhs))
    cover = sorted(set(reduced))
    for dep in list(cover):
        others = [d for d in cover if d != dep]
        if implies(others, dep):
            cover = others
    return tuple(cover)


# --- keys ---------------------------------------------------------------------------------------


def is_superkey(attrs: Iterable[str], relation: Iterable[str], fds: Iterable[Dependency]) -> bool:
    """Whether ``attrs`` determine every attribute of ``relation``."""
    return _attrs(relation) <= closure(attrs, fds)


def candidate_keys(relation: Iterable[str], fds: Iterable[Dependency]) -> tuple[tuple[str, ...], ...]:
    """Every candidate key (minimal superkey) of ``relation`` under ``fds``, smallest first.

    ``fds`` should mention only the relation's attributes (use :func:`project` for a sub-relation).
    """
    rel = _attrs(relation)
    fd_list = [d for d in _functional(fds) if not d.is_trivial()]
    on_right = frozenset().union(*(d.right - d.left for d in fd_list)) & rel
    on_left = frozenset().union(*(d.left for d in fd_list)) & rel
    core = rel - on_right
    if rel <= closure(core, fd_list):
        return (tuple(sorted(core)),)
    middle = sorted(on_left & on_right)
    if len(middle) > MAX_PROJECTION_WIDTH:
        raise NormalizationLimit(
            f"{len(middle)} attributes to search for keys; at most {MAX_PROJECTION_WIDTH}"
        )
    keys: list[AttrSet] = []
    for size in range(1, len(middle) + 1):
        for combo in itertools.combinations(middle, size):
            cand = core | frozenset(combo)
            if any(k <= cand for k in keys):
                continue
            if rel <= closure(cand, fd_list):
                keys.append(cand)
    return tuple(sorted((tuple(sorted(k)) for k in keys), key=lambda k: (len(k), k)))


def prime_attributes(relation: Iterable[str], fds: Iterable[Dependency]) -> tuple[str, ...]:
    """Attributes that belong to at least one candidate key."""
    return tuple(sorted({a for key in candidate_keys(relation, fds) for a in key}))


def _left_attributes(fds: Iterable[Dependency]) -> AttrSet:
    return frozenset(a for d in fds for a in d.lhs)


def project(fds: Iterable[Dependency], relation: Iterable[str]) -> tuple[Dependency, ...]:
    """The minimal cover of the functional dependencies ``fds`` imply over ``relation``'s attributes.

    Enumerates the subsets of the relation's attributes that appear on some left side (only those
    can derive anything; exponential in their number); raises :class:`NormalizationLimit` above
    :data:`MAX_PROJECTION_WIDTH` of them.
    """
    fd_list = _functional(fds)
    rel_set = _attrs(relation)
    names = sorted(rel_set & _left_attributes(fd_list))
    if len(names) > MAX_PROJECTION_WIDTH:
        raise NormalizationLimit(
            f"{len(names)} left-side attributes to project onto; at most {MAX_PROJECTION_WIDTH}"
        )
    found: list[Dependency] = []
    for size in range(1, len(names) + 1):
        for combo in itertools.combinations(names, size):
            lhs = frozenset(combo)
            gained = (closure(lhs, fd_list) & rel_set) - lhs
            if gained:
                found.append(Dependency.of(lhs, gained))
    return minimal_cover(found)


# --- normal forms -------------------------------------------------------------------------------


class NormalForm(enum.IntEnum):
    """Normal forms in increasing strength; comparisons follow the order."""

    FIRST = 1
    SECOND = 2
    THIRD = 3
    BCNF = 4
    FOURTH = 5

    @property
    def label(self) -> str:
        return {1: "1NF", 2: "2NF", 3: "3NF", 4: "BCNF", 5: "4NF"}[int(self)]


@dataclass(frozen=True)
class NormalFormReport:
    """The highest normal form a relation satisfies, and the dependency that keeps it from the next.

    ``violation`` is None when the relation reaches the strongest form checkable from what was given
    (BCNF without multivalued dependencies, 4NF with them). ``reason`` says it in one sentence.
    """

    relation: tuple[str, ...]
    form: NormalForm
    keys: tuple[tuple[str, ...], ...]
    prime: tuple[str, ...]
    violation: Dependency | None
    reason: str


def normal_form(
    relation: Iterable[str], fds: Iterable[Dependency], mvds: Iterable[Dependency] = ()
) -> NormalFormReport:
    """The normal form of ``relation`` (1NF assumed: attributes are atomic) under ``fds`` and ``mvds``.

    Functional dependencies mentioning attributes outside the relation are projected onto it first.
    Multivalued dependencies are taken as given on the relation (projection of MVDs is not derived).
    """
    rel = _attrs(relation)
    fd_list = _functional(fds)
    mvd_list = tuple(sorted(d for d in mvds if d.multivalued))
    inside = all(d.attributes() <= rel for d in fd_list)
    local = minimal_cover(fd_list) if inside else project(fd_list, rel)
    keys = candidate_keys(rel, local)
    prime = frozenset(a for k in keys for a in k)
    key_sets = [frozenset(k) for k in keys]
    name = tuple(sorted(rel))

    def report(form: NormalForm, violation: Dependency | None, reason: str) -> NormalFormReport:
        return NormalFormReport(name, form, keys, tuple(sorted(prime)), violation, reason)

    keys_text = " or ".join(f"({_fmt(k)})" for k in keys)
    # 2NF: no non-prime attribute depends on a proper subset of a candidate key.
    for key in key_sets:
        for size in range(1, len(key)):
            for combo in itertools.combinations(sorted(key), size):
                part = frozenset(combo)
                partial = sorted((closure(part, local) & rel) - part - prime)
                if partial:
                    dep = Dependency.of(part, partial)
                    return report(
                        NormalForm.FIRST,
                        dep,
                        f"partial dependency {dep}: non-prime {_fmt(partial)} depends on part of the key "
                        f"({_fmt(key)}), so it repeats for every row sharing {_fmt(part)}",
                    )
    # 3NF: every non-trivial X -> A has X a superkey or A prime.
    for dep in local:
        if not is_superkey(dep.left, rel, local) and not dep.right <= prime:
            return report(
                NormalForm.SECOND,
                dep,
                f"transitive dependency {dep}: ({_fmt(dep.lhs)}) is not a key (keys: {keys_text}) and "
                f"{_fmt(dep.rhs)} is not part of any key",
            )
    for dep in local:
        if not is_superkey(dep.left, rel, local):
            return report(
                NormalForm.THIRD,
                dep,
                f"{dep}: ({_fmt(dep.lhs)}) determines part of a key but is not a key itself "
                f"(keys: {keys_text})",
            )
    for mvd in mvd_list:
        rhs = (mvd.right & rel) - mvd.left
        if not (mvd.left <= rel) or not rhs or (mvd.left | rhs) == rel:
            continue
        if not is_superkey(mvd.left, rel, local):
            dep = Dependency.of(mvd.left, rhs, multivalued=True)
            return report(
                NormalForm.BCNF,
                dep,
                f"multivalued dependency {dep}: ({_fmt(dep.lhs)}) is not a key, so independent facts "
                f"about {_fmt(dep.lhs)} multiply into every combination",
            )
    if mvd_list:
        return report(
            NormalForm.FOURTH, None, f"every multivalued and functional dependency is on a key ({keys_text})"
        )
    return report(NormalForm.BCNF, None, f"every functional dependency's left side is a key ({keys_text})")


# --- decompositions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decomposition:
    """A set of relations replacing one; ``lost`` are the dependencies no longer enforceable per relation."""

    relations: tuple[tuple[str, ...], ...]
    keys: tuple[tuple[tuple[str, ...], ...], ...]
    lossless: bool
    lost: tuple[Dependency, ...] = field(default=())
    steps: tuple[str, ...] = field(default=())


def synthesize_3nf(relation: Iterable[str], fds: Iterable[Dependency]) -> Decomposition:
    """Bernstein's 3NF synthesis: lossless, dependency-preserving, every relation in 3NF.

    One relation per left side of the minimal cover (left side plus everything it determines),
    relations contained in another dropped, and a relation holding a candidate key added when none does.
    """
    rel = _attrs(relation)
    cover = minimal_cover(d for d in _functional(fds) if d.attributes() <= rel)
    groups: dict[tuple[str, ...], set[str]] = {}
    for dep in cover:
        groups.setdefault(dep.lhs, set(dep.lhs)).update(dep.rhs)
    steps = [f"{_fmt(lhs)} -> {_fmt(sorted(attrs - set(lhs)))}" for lhs, attrs in sorted(groups.items())]
    schemas = sorted({frozenset(attrs) for attrs in groups.values()}, key=lambda s: (-len(s), sorted(s)))
    kept: list[AttrSet] = []
    for schema in schemas:
        if not any(schema <= other for other in kept):
            kept.append(schema)
    keys = candidate_keys(rel, cover)
    if not any(frozenset(k) <= s for k in keys for s in kept):
        kept.append(frozenset(keys[0]))
        steps.append(f"add key relation ({_fmt(keys[0])}) so the join is lossless")
    covered = frozenset().union(*kept) if kept else frozenset()
    if covered != rel:  # only when there are no dependencies at all: the key is the whole relation
        kept.append(rel)
    ordered = tuple(sorted(tuple(sorted(s)) for s in kept))
    return Decomposition(
        relations=ordered,
        keys=tuple(candidate_keys(r, project(cover, r)) for r in ordered),
        lossless=is_lossless(rel, ordered, cover),
        lost=lost_dependencies(ordered, cover),
        steps=tuple(steps),
    )


def _bcnf_violation(rel: AttrSet, fds: Sequence[Dependency]) -> Dependency | None:
    """The first (in size, then name order) X -> X+∩R with X not a superkey of ``rel``, if any.

    Only subsets of left-side attributes L are tried: closure(X) = (X - L) ∪ closure(X ∩ L), so if
    X violates, X ∩ L (no larger) does too.
    """
    names = sorted(rel & _left_attributes(fds))
    if len(names) > MAX_PROJECTION_WIDTH:
        raise NormalizationLimit(
            f"{len(names)} left-side attributes in a relation to split; at most {MAX_PROJECTION_WIDTH}"
        )
    for size in range(1, len(names) + 1):
        for combo in itertools.combinations(names, size):
            lhs = frozenset(combo)
            plus = closure(lhs, fds) & rel
            if plus != lhs and plus != rel:
                return Dependency.of(lhs, plus - lhs)
    return None


def decompose_bcnf(relation: Iterable[str], fds: Iterable[Dependency]) -> Decomposition:
    """Split ``relation`` on BCNF violations until none is left; lossless, may lose dependencies.

    Each split on ``X -> Y`` gives ``X ∪ Y`` and ``R - Y`` (Heath's theorem: lossless because ``X``
    is a key of the first part). ``lost`` names the minimal-cover dependencies that no single
    relation can enforce any more.
    """
    rel = _attrs(relation)
    fd_list = [d for d in _functional(fds) if d.attributes() <= rel]
    pending = [rel]
    done: list[AttrSet] = []
    steps: list[str] = []
    while pending:
        current = pending.pop(0)
        violation = _bcnf_violation(current, fd_list)
        if violation is None:
            done.append(current)
            continue
        left = violation.left | violation.right
        right = current - violation.right
        steps.append(f"split ({_fmt(current)}) on {violation} into ({_fmt(left)}) and ({_fmt(right)})")
        pending.extend([left, right])
    kept = [s for s in done if not any(s < other for other in done)]
    ordered = tuple(sorted({tuple(sorted(s)) for s in kept}))
    cover = minimal_cover(fd_list)
    return Decomposition(
        relations=ordered,
        keys=tuple(candidate_keys(r, project(cover, r)) for r in ordered),
        lossless=is_lossless(rel, ordered, cover),
        lost=lost_dependencies(ordered, cover),
        steps=tuple(steps),
    )


def decompose_4nf(
    relation: Iterable[str], fds: Iterable[Dependency], mvds: Iterable[Dependency]
) -> Decomposition:
    """Split on non-trivial multivalued dependencies whose left side is not a key, then on BCNF
    violations: ``X ->> Y`` over ``R`` gives ``X ∪ Y`` and ``R - Y`` (lossless by Fagin's theorem).

    Only the multivalued dependencies given are used (their implied consequences are not derived).
    """
    rel = _attrs(relation)
    fd_list = [d for d in _functional(fds) if d.attributes() <= rel]
    mvd_list = sorted(d for d in mvds if d.multivalued)
    pending = [rel]
    done: list[AttrSet] = []
    steps: list[str] = []
    while pending:
        current = pending.pop(0)
        split = None
        for mvd in mvd_list:
            rhs = (mvd.right & current) - mvd.left
            if not mvd.left <= current or not rhs or (mvd.left | rhs) == current:
                continue
            if not current <= closure(mvd.left, fd_list):
                split = Dependency.of(mvd.left, rhs, multivalued=True)
                break
        if split is None:
            done.append(current)
            continue
        left, right = split.left | split.right, current - split.right
        steps.append(f"split ({_fmt(current)}) on {split} into ({_fmt(left)}) and ({_fmt(right)})")
        pending.extend([left, right])
    parts: list[AttrSet] = []
    for part in done:  # finish each part in BCNF
        sub = decompose_bcnf(part, fd_list)
        steps.extend(sub.steps)
        parts.extend(frozenset(r) for r in sub.relations)
    kept = [s for s in parts if not any(s < other for other in parts)]
    ordered = tuple(sorted({tuple(sorted(s)) for s in kept}))
    cover = minimal_cover(fd_list)
    return Decomposition(
        relations=ordered,
        keys=tuple(candidate_keys(r, project(cover, r)) for r in ordered),
        lossless=is_lossless(rel, ordered, (*cover, *mvd_list)),
        lost=lost_dependencies(ordered, cover),
        steps=tuple(steps),
    )


def is_lossless(relation: Iterable[str], parts: Iterable[Iterable[str]], fds: Iterable[Dependency]) -> bool:
    """The chase: whether joining the projections onto ``parts`` always gives back ``relation``.

    A tableau has one row per part, with a distinguished symbol (0) in the part's columns and a
    row-specific one elsewhere; functional dependencies equate symbols, and multivalued ones
    (``multivalued=True`` in ``fds``) add the rows they imply, until a row is all distinguished
    (lossless) or nothing changes (lossy).
    """
    columns = sorted(_attrs(relation))
    part_sets = [_attrs(p) for p in parts]
    if not part_sets:
        return False
    rows = [[0 if c in part else i + 1 for c in columns] for i, part in enumerate(part_sets)]
    index = {c: j for j, c in enumerate(columns)}
    deps = tuple(fds)
    fd_list = [d for d in _functional(deps) if d.attributes() <= frozenset(columns)]
    mvd_list = [d for d in deps if d.multivalued and d.left <= frozenset(columns)]
    changed = True
    while changed:
        changed = False
        for dep in fd_list:
            lhs_cols = [index[a] for a in dep.lhs]
            buckets: dict[tuple[int, ...], list[list[int]]] = {}
            for row in rows:
                buckets.setdefault(tuple(row[j] for j in lhs_cols), []).append(row)
            for group in buckets.values():
                if len(group) < 2:
                    continue
                for attr in dep.rhs:
                    j = index[attr]
                    target = min(row[j] for row in group)
                    for row in group:
                        if row[j] != target:
                            old = row[j]
                            for other in rows:  # rename the symbol everywhere in the column
                                if other[j] == old:
                                    other[j] = target
                            changed = True
        for mvd in mvd_list:
            lhs_cols = [index[a] for a in mvd.lhs]
            rhs_cols = {index[a] for a in mvd.rhs if a in index}
            present = {tuple(row) for row in rows}
            for first, second in itertools.product(list(rows), repeat=2):
                if first is second or any(first[j] != second[j] for j in lhs_cols):
                    continue
                new = [first[j] if j in rhs_cols or j in lhs_cols else second[j] for j in range(len(columns))]
                if tuple(new) not in present:
                    present.add(tuple(new))
                    rows.append(new)
                    changed = True
            if len(rows) > 4096:
                raise NormalizationLimit("the chase grew past 4096 rows; too many multivalued dependencies")
        if any(all(v == 0 for v in row) for row in rows):
            return True
    return any(all(v == 0 for v in row) for row in rows)


def lost_dependencies(parts: Iterable[Iterable[str]], fds: Iterable[Dependency]) -> tuple[Dependency, ...]:
    """The functional dependencies in ``fds`` not implied by the union of their projections onto ``parts``.

    Polynomial test: grow ``Z = X`` by ``closure(Z ∩ Ri) ∩ Ri`` for every part until fixpoint;
    ``X -> Y`` is preserved iff ``Y ⊆ Z``.
    """
    part_sets = [_attrs(p) for p in parts]
    fd_list = _functional(fds)
    lost: list[Dependency] = []
    for dep in fd_list:
        z = set(dep.left)
        changed = True
        while changed:
            changed = False
            for part in part_sets:
                gained = (closure(z & part, fd_list) & part) - z
                if gained:
                    z |= gained
                    changed = True
        if not dep.right <= z:
            lost.append(dep)
    return tuple(sorted(set(lost)))


def preserves_dependencies(parts: Iterable[Iterable[str]], fds: Iterable[Dependency]) -> bool:
    """Whether every dependency in ``fds`` can still be enforced from the relations ``parts``."""
    return not lost_dependencies(parts, fds)
