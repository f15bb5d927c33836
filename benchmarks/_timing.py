"""Interleaved timing that survives a shared, noisy machine.

``interleaved(a, b)`` runs the two sides alternately (A B A B …). Each timed
region repeats its side ``reps`` times, with ``reps`` chosen once (from one
untimed call of each side) so that a region lasts at least ``min_region``
seconds; both sides use the same ``reps``. The ratio is taken pair by pair
(``b / a`` per pair, so above 1 means A is faster) and reported with its
min/median/max, as are each side's times per call.

Example:
    >>> r = interleaved(lambda: sum(range(1000)), lambda: sum(range(2000)),
    ...                 pairs=3, min_region=0.01)
    >>> sorted(r) == ['a', 'b', 'ratio', 'reps']
    True
    >>> r["ratio"]["min"] <= r["ratio"]["median"] <= r["ratio"]["max"]
    True
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from typing import Any, Callable

import jax


def _once(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - start


def summary(values: list[float]) -> dict[str, float]:
    """``{"min", "median", "max"}`` of ``values``."""
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def interleaved(a: Callable[[], Any], b: Callable[[], Any], *, pairs: int = 5,
                min_region: float = 0.5, warm: bool = True, reps: int | None = None,
                collect: bool = True) -> dict[str, Any]:
    """Time ``a`` and ``b`` alternately; seconds per call and the ratio ``b/a`` per pair.

    Args:
        pairs: how many (A, B) pairs of timed regions.
        min_region: each region lasts at least this long (seconds), by repeating
            the call ``reps`` times.
        warm: run each side once, untimed, first.
        reps: calls per region, instead of calibrating them from one more call
            of each side (a smoke run passes 1).
        collect: leave Python's garbage collector running in the timed regions;
            ``False`` collects before each region and pauses it inside, as
            ``timeit`` does (a full collection walks the whole process's heap, so
            which side it lands in is chance).
    """
    if warm:
        _once(a), _once(b)
    if reps is None:
        fastest = min(_once(a), _once(b))
        reps = max(1, math.ceil(min_region / max(fastest, 1e-9)))
    ta, tb = [], []
    enabled = gc.isenabled()
    for _ in range(pairs):
        for fn, out in ((a, ta), (b, tb)):
            if not collect:
                gc.collect()
                gc.disable()
            try:
                start = time.perf_counter()
                for _ in range(reps):
                    jax.block_until_ready(fn())
                out.append((time.perf_counter() - start) / reps)
            finally:
                if enabled:
                    gc.enable()
    return {"a": summary(ta), "b": summary(tb),
            "ratio": summary([y / x for x, y in zip(ta, tb)]), "reps": reps}
