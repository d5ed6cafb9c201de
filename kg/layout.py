"""A fast precomputed 2-D layout for big maps, in numpy only (no scipy).

vis-network's live physics needs ~23 s to settle 5,000 nodes in a browser, and networkx's
``spring_layout`` needs scipy there and ~30 s (../shared/FINDINGS.md). :func:`force_layout` runs
a Fruchterman–Reingold simulation on the whole graph in which the all-pairs repulsion is
approximated on a grid (each node is pushed by the centre of mass of every occupied cell, its own
cell without itself), so an iteration costs O(nodes × cells + edges) instead of O(nodes²).
Connected components are laid out one by one and packed in rows, the biggest first, so
isolated nodes fill the space below instead of ringing the drawing. The result is
deterministic for a given ``seed``.

>>> import networkx as nx
>>> pos = force_layout(nx.path_graph(3), scale=100.0)
>>> sorted(pos) == [0, 1, 2] and all(len(xy) == 2 for xy in pos.values())
True
>>> force_layout(nx.Graph())
{}
"""

from __future__ import annotations

import math
from collections.abc import Hashable

import networkx as nx
import numpy as np

__all__ = ["force_layout"]

_DENSE_LIMIT = 400  # up to this many nodes the repulsion is computed exactly


def _dense_repulsion(pos: np.ndarray) -> np.ndarray:
    """Exact FR repulsion (k = 1): sum over other nodes of ``delta / |delta|²``."""
    delta = pos[:, None, :] - pos[None, :, :]
    d2 = np.einsum("ijk,ijk->ij", delta, delta) + 1e-4
    np.fill_diagonal(d2, np.inf)
    return np.einsum("ijk,ij->ik", delta, 1.0 / d2)


def _grid_repulsion(pos: np.ndarray, cells_per_side: int) -> np.ndarray:
    """FR repulsion with every other node replaced by the centre of mass of its grid cell."""
    n = len(pos)
    lo = pos.min(axis=0)
    span = np.maximum(pos.max(axis=0) - lo, 1e-9)
    cell_xy = np.minimum((cells_per_side * (pos - lo) / span).astype(np.int64), cells_per_side - 1)
    cell = cell_xy[:, 0] * cells_per_side + cell_xy[:, 1]
    n_cells = cells_per_side * cells_per_side
    mass = np.bincount(cell, minlength=n_cells).astype(float)
    sums = np.stack([np.bincount(cell, weights=pos[:, d], minlength=n_cells) for d in (0, 1)], axis=1)
    occupied = np.flatnonzero(mass)
    m, s = mass[occupied], sums[occupied]
    centres = s / m[:, None]

    # Σ_c m_c (p - c) / |p - c|², as p·Σw - W·c with W = m / d² (cheap on n × cells).
    px, py = pos[:, :1].astype(np.float32), pos[:, 1:].astype(np.float32)
    cx, cy = centres[:, 0].astype(np.float32), centres[:, 1].astype(np.float32)
    w = m.astype(np.float32) / ((px - cx) ** 2 + (py - cy) ** 2 + np.float32(1e-4))
    own = np.searchsorted(occupied, cell)
    w[np.arange(n), own] = 0.0  # the node's own cell is added below, without the node
    force = (pos * w.sum(axis=1, dtype=np.float64)[:, None]
             - np.stack([w @ cx, w @ cy], axis=1).astype(np.float64))

    rest = m[own] - 1.0
    has_rest = rest > 0
    rest_centre = (s[own] - pos) / np.where(has_rest, rest, 1.0)[:, None]
    rdelta = pos - rest_centre
    rd2 = np.einsum("ij,ij->i", rdelta, rdelta) + 1e-4
    force += np.where(has_rest[:, None], rdelta * (rest / rd2)[:, None], 0.0)
    return force


def _simulate(n: int, edges: np.ndarray, iterations: int, rng: np.random.Generator) -> np.ndarray:
    """Fruchterman–Reingold (ideal edge length 1) for one connected component of ``n`` nodes."""
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        return np.array([[0.0, 0.0], [1.0, 0.0]])
    radius = math.sqrt(n)
    angle = rng.uniform(0, 2 * math.pi, n)
    dist = radius * np.sqrt(rng.uniform(0, 1, n))
    pos = np.stack([dist * np.cos(angle), dist * np.sin(angle)], axis=1)
    cells = max(2, min(32, int(math.sqrt(n) / 2.5)))
    t0, t1 = radius / 4.0, 0.02
    for step in range(iterations):
        disp = _dense_repulsion(pos) if n <= _DENSE_LIMIT else _grid_repulsion(pos, cells)
        delta = pos[edges[:, 0]] - pos[edges[:, 1]]
        pull = delta * np.linalg.norm(delta, axis=1)[:, None]  # FR attraction d²/k
        np.add.at(disp, edges[:, 0], -pull)
        np.add.at(disp, edges[:, 1], pull)
        length = np.linalg.norm(disp, axis=1)
        temp = t0 + (t1 - t0) * step / max(1, iterations - 1)
        pos += disp * (np.minimum(length, temp) / np.maximum(length, 1e-9))[:, None]
    return pos


def _pack(blocks: list[np.ndarray], gap: float = 1.5) -> list[np.ndarray]:
    """Shelf packing: blocks (largest first) left to right in rows about as wide as the total
    is tall, so the whole drawing is roughly square."""
    sizes = [b.max(axis=0) - b.min(axis=0) for b in blocks]
    area = sum((w + gap) * (h + gap) for w, h in sizes)
    width = max(math.sqrt(area) * 1.2, max(w for w, _ in sizes) + gap)
    out, x, y, row = [], 0.0, 0.0, 0.0
    for block, (w, h) in zip(blocks, sizes):
        if x > 0 and x + w > width:
            x, y, row = 0.0, y + row + gap, 0.0
        out.append(block - block.min(axis=0) + np.array([x, y]))
        x += w + gap
        row = max(row, h)
    return out


def force_layout(net: nx.Graph, *, iterations: int = 60, seed: int = 0,
                 scale: float = 120.0) -> dict[Hashable, tuple[float, float]]:
    """Positions ``{node: (x, y)}`` for every node of ``net`` (directions and multi-edges ignored).

    Each connected component is laid out on its own (``iterations`` cooling steps), then the
    components are packed in rows, the biggest first, isolated nodes last. ``scale`` is the
    length of an ideal edge in the output units (vis-network pixels).
    """
    nodes = list(net.nodes)
    if not nodes:
        return {}
    order = {node: i for i, node in enumerate(nodes)}
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_edges_from((u, v) for u, v in net.edges() if u != v)
    components = sorted((sorted(c, key=order.__getitem__) for c in nx.connected_components(simple)),
                        key=lambda c: (-len(c), order[c[0]]))
    rng = np.random.default_rng(seed)
    blocks = []
    for comp in components:
        local = {node: i for i, node in enumerate(comp)}
        pairs = sorted({tuple(sorted((local[u], local[v]))) for u, v in simple.subgraph(comp).edges()})
        edges = np.array(pairs, dtype=np.int64).reshape(-1, 2)  # sorted: the same floats whatever the edge order
        blocks.append(_simulate(len(comp), edges, iterations, rng))
    placed = np.concatenate(_pack(blocks))
    placed -= (placed.min(axis=0) + placed.max(axis=0)) / 2
    placed *= scale
    flat = [node for comp in components for node in comp]
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in zip(flat, placed)}
