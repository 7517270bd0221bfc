"""Automatic links that would give one person two different NHS numbers are held for review.

A pair scores on its own fields, but a link joins two whole people: twins at one home whose
records agree on every field the model reads (one's given name is the other's middle name, or
an initial) score as one person, and a single such link puts both children's histories under
one record. Their NHS numbers tell them apart, even when the two records that scored carry
none: the other records of each do. A valid NHS number passes the modulus 11 check, which
catches every single wrong digit and every transposition, so two valid numbers that differ are
almost never one person's number mistyped (0.02% of the true pairs in the synthetic set, where
the model's unsupervised estimate was 1.2%: twins at one home sit in its "match" class).

So automatic links are applied best first, and a link is held back (for a reviewer, who may
still decide "same person") when the two sides it would join hold valid NHS numbers with none in
common. Incremental matching asks the same of the person an incoming record would join
(`hearth.linkage.index.judge`); the batch run and the evaluation ask it here, so the figures
in the docs are the decisions Hearth makes.
"""

from collections.abc import Collection, Hashable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


class Components:
    """Union-find: automatic links that chain join one person (the batch run's people, and
    `held_links`'s groups). The smaller id is the root."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> Iterator[list[int]]:
        out: dict[int, list[int]] = {}
        for x in list(self.parent):
            out.setdefault(self.find(x), []).append(x)
        for members in out.values():
            if len(members) > 1:
                yield sorted(members)


WHY = "Above the upper threshold, but the two people have different NHS numbers"


def numbers_conflict(a: Collection[str], b: Collection[str]) -> bool:
    """Two sides' valid NHS numbers, with none in common: two people as far as the numbers go."""
    return bool(a) and bool(b) and set(a).isdisjoint(b)


def held_links(
    left: Sequence[Hashable],
    right: Sequence[Hashable],
    probability: Sequence[float],
    numbers: Mapping[Any, Collection[str]],
) -> np.ndarray:
    """Which of these automatic links (between groups: records, or people) must be held back.

    `numbers` gives each group's valid NHS numbers (a group without any may be absent). Links
    are applied best first (ties by the groups, so the result does not depend on the order
    given); one that would join two sides whose numbers conflict is held, and the sides stay
    apart. Only connected groups holding two numbers or more between them can conflict, so the
    rest are never walked."""
    n = len(left)
    held = np.zeros(n, dtype=bool)
    if n == 0:
        return held
    ids, index = np.unique(np.asarray([*left, *right]), return_inverse=True)
    li, ri = index[:n], index[n:]
    graph = coo_matrix((np.ones(n, dtype=np.int8), (li, ri)), shape=(len(ids),) * 2)
    component = connected_components(graph, directed=False)[1]
    start: dict[int, set[str]] = {}  # dense group index -> its numbers
    pooled: dict[int, set[str]] = {}  # component -> every number in it
    for position, group in enumerate(ids.tolist()):
        values = numbers.get(group)
        if values:
            start[position] = set(values)
            pooled.setdefault(int(component[position]), set()).update(values)
    risky = [c for c, values in pooled.items() if len(values) > 1]
    if not risky:
        return held
    candidates = np.flatnonzero(np.isin(component[li], risky))
    prob = np.asarray(probability, dtype=np.float64)[candidates]
    order = candidates[np.lexsort((ri[candidates], li[candidates], -prob))]
    joined = Components()
    for k in order.tolist():
        a, b = joined.find(int(li[k])), joined.find(int(ri[k]))
        if a == b:
            continue
        na, nb = start.pop(a, set()), start.pop(b, set())
        if numbers_conflict(na, nb):
            held[k] = True
            start[a], start[b] = na, nb
            continue
        joined.union(a, b)
        start[joined.find(a)] = na | nb
    return held


__all__ = ["WHY", "Components", "held_links", "numbers_conflict"]
