"""How good a linkage is, measured against ground truth (the synthetic set's `cluster`).

Issue 7's targets are about what a person index does with the links, so the headline figures are
about clusters, not the pairs as scored. A false automatic link puts two people's records under
one person, and every record of each comes along. So `precision` counts every pair of records that
the automatic links join, directly or through others (connected components), and asks how many
are one true person. `recall` assumes a reviewer who decides each queued pair correctly: it is
the share of true pairs joined by the automatic links plus the true review pairs. The pairwise
figures (the pairs as given) are reported too. True pair counts come from cluster sizes
(n(n-1)/2 each), so nothing of size records² is built.
"""

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

OUTCOMES = ("link", "review")
TARGETS = {"precision": 0.999, "recall": 0.95, "review_share": 0.01}


def _pairs_in(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def true_pair_count(clusters: Iterable[int] | pa.Array | pa.ChunkedArray | np.ndarray) -> int:
    """How many pairs of records belong to the same true person: sum of n(n-1)/2 by cluster."""
    values = np.asarray(clusters.to_numpy() if hasattr(clusters, "to_numpy") else list(clusters))
    _, sizes = np.unique(values, return_counts=True)
    return _pairs_in(sizes)


def true_pairs(table: pa.Table) -> set[tuple[int, int]]:
    """Every true pair (smaller unique_id first). Quadratic in cluster size: for small tables;
    use `true_pair_count` when only the number is needed."""
    ids = table["unique_id"].to_numpy()
    clusters = table["cluster"].to_numpy()
    order = np.lexsort((ids, clusters))
    ids, clusters = ids[order], clusters[order]
    bounds = np.flatnonzero(np.diff(clusters)) + 1
    out: set[tuple[int, int]] = set()
    for group in np.split(ids, bounds):
        members = group.tolist()
        for i, a in enumerate(members):
            out.update((a, b) for b in members[i + 1 :])
    return out


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _joined_pairs(labels: np.ndarray, truth: np.ndarray) -> tuple[int, int]:
    """(pairs joined by the predicted clusters, how many of them are true pairs)."""
    _, sizes = np.unique(labels, return_counts=True)
    key = labels.astype(np.int64) * (int(truth.max()) + 1) + truth
    _, both = np.unique(key, return_counts=True)
    return _pairs_in(sizes), _pairs_in(both)


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def evaluate_clusters(predicted_links: pa.Table, truth: pa.Table) -> dict[str, Any]:
    """Precision, recall, F1 and the review queue of `predicted_links` (unique_id_l, unique_id_r,
    outcome "link" or "review") against `truth` (unique_id, cluster: every record linked).

    A pair listed twice counts once, "link" over "review". Precision is 1.0 when nothing was
    linked; recall 1.0 when there is nothing to find.
    """
    ids = truth["unique_id"].to_numpy()
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    _, cluster = np.unique(truth["cluster"].to_numpy()[order], return_inverse=True)
    n = len(ids)

    outcome = predicted_links["outcome"].to_numpy(zero_copy_only=False).astype(str)
    unknown = set(np.unique(outcome)) - set(OUTCOMES)
    if unknown:
        raise ValueError(f"Outcomes must be 'link' or 'review', not {sorted(unknown)}")
    left_id = predicted_links["unique_id_l"].to_numpy()
    right_id = predicted_links["unique_id_r"].to_numpy()
    left, right = np.searchsorted(ids, left_id), np.searchsorted(ids, right_id)
    for side, found in ((left_id, left), (right_id, right)):
        missing = (found >= n) | (ids[np.minimum(found, max(n - 1, 0))] != side) if n else side
        if len(missing) and missing.any():
            raise ValueError(f"Linked records missing from the truth: {side[missing][:5].tolist()}")
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    keep = lo != hi
    # Deduplicate pairs; a pair that is both a link and a review is a link.
    rank = (outcome != "link").astype(np.int64)
    pair = lo[keep].astype(np.int64) * n + hi[keep]
    sort = np.lexsort((rank[keep], pair))
    pair, rank = pair[sort], rank[keep][sort]
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    pair, is_link = pair[first], rank[first] == 0
    lo, hi = (pair // n, pair % n) if n else (pair, pair)
    same = cluster[lo] == cluster[hi]

    links, reviews = int(is_link.sum()), int((~is_link).sum())
    link_true = int((same & is_link).sum())
    review_true = int((same & ~is_link).sum())
    total_true = true_pair_count(cluster)

    auto = _components(n, lo[is_link], hi[is_link])
    joined, joined_true = _joined_pairs(auto, cluster)
    accepted = is_link | same  # the reviewer accepts the true review pairs only
    with_review = _components(n, lo[accepted], hi[accepted])
    _, reviewed_true = _joined_pairs(with_review, cluster)

    precision = _ratio(joined_true, joined)
    recall = _ratio(reviewed_true, total_true)
    result: dict[str, Any] = {
        "records": n,
        "true_pairs": total_true,
        "counts": {"link": links, "review": reviews},
        "link_pairs_true": link_true,
        "link_pairs_false": links - link_true,
        "review_pairs_true": review_true,
        "review_pairs_false": reviews - review_true,
        "precision": precision,
        "recall": recall,
        "recall_links_only": _ratio(joined_true, total_true),
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "review_share": reviews / n if n else 0.0,
        "pairs_joined_by_links": joined,
        "pairwise_precision": _ratio(link_true, links),
        "pairwise_recall": _ratio(link_true + review_true, total_true),
    }
    result["meets_targets"] = (
        precision >= TARGETS["precision"]
        and recall >= TARGETS["recall"]
        and result["review_share"] <= TARGETS["review_share"]
    )
    return result


def links_table(
    pairs: Iterable[tuple[int, int]], outcome: str | Iterable[str] = "link"
) -> pa.Table:
    """A predicted-links table from (unique_id_l, unique_id_r) pairs: handy in tests and notebooks."""
    pairs = list(pairs)
    outcomes = [outcome] * len(pairs) if isinstance(outcome, str) else list(outcome)
    return pa.table(
        {
            "unique_id_l": pa.array([a for a, _ in pairs], pa.int64()),
            "unique_id_r": pa.array([b for _, b in pairs], pa.int64()),
            "outcome": pa.array(outcomes, pa.string()),
        }
    )


__all__ = [
    "OUTCOMES",
    "TARGETS",
    "evaluate_clusters",
    "links_table",
    "true_pair_count",
    "true_pairs",
]
