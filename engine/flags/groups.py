"""Groups of linked things: the connected components of a graph, computed by
`scipy.sparse.csgraph.connected_components`.

    connected_groups(n, edges, min_size=1) -> [[node, ...], ...]   # nodes 0..n-1
    groups_of(ids, links) -> [[id, ...], ...]                       # any hashable ids

Every node is in exactly one group (a node without links is a group of one; `min_size` leaves
out the smaller groups). The order is fixed: members ascending within a group, groups ordered
by their smallest member, so callers that go through the groups in order (the duplicate
clustering, the held-out split) do the same thing on every run. scipy is imported on first use,
not when this module loads.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Sequence

import numpy as np


def component_labels(n: int, edges: "Iterable[tuple[int, int]] | np.ndarray") -> np.ndarray:
    """The component of each node 0..n-1 (an int array of length n). Labels are numbered in
    order of each component's smallest node."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if isinstance(edges, np.ndarray):  # an (m, 2) array: no Python loop over the edges
        pairs = edges.astype(np.int64).reshape(-1, 2)
    else:
        pairs = np.asarray([(int(a), int(b)) for a, b in edges], dtype=np.int64).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # renumber by smallest member, whatever order the library numbered them in
    first = np.full(labels.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n))
    rank = np.empty_like(first)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[labels]


def connected_groups(n: int, edges: "Iterable[tuple[int, int]] | np.ndarray", min_size: int = 1) -> list[list[int]]:
    """The connected components of the graph on nodes 0..n-1 with these (undirected) edges, those
    of at least `min_size` nodes: members ascending, groups ordered by their smallest member."""
    labels = component_labels(n, edges)
    if not len(labels):
        return []
    sizes = np.bincount(labels)
    if min_size > 1:
        keep = sizes[labels] >= min_size
        nodes, labels, sizes = np.flatnonzero(keep), labels[keep], sizes[sizes >= min_size]
    else:
        nodes = np.arange(n)
    flat = nodes[np.argsort(labels, kind="stable")].tolist()  # stable: members stay ascending
    ends = np.cumsum(sizes).tolist()
    return [flat[start:end] for start, end in zip([0] + ends[:-1], ends)]


def groups_of(ids: Sequence[Hashable], links: Iterable[tuple[Hashable, Hashable]]) -> list[list]:
    """Group `ids` by `links` (pairs of ids; a link naming an id outside `ids` is ignored).
    Members keep the order they have in `ids`; groups are ordered by their first member."""
    ids = list(ids)
    pos = {x: i for i, x in enumerate(ids)}
    edges = [(pos[a], pos[b]) for a, b in links if a in pos and b in pos]
    return [[ids[i] for i in g] for g in connected_groups(len(ids), edges)]
