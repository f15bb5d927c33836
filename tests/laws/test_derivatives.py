"""Generated smooth composites against finite differences and ``jax.jvp``, in bulk.

One test draws ``COMPOSITES`` composites itself (a ``@given`` run inside it with that
many examples) and checks each with :func:`categories.laws.check_derivative`, so the
number checked is counted where it happens, whichever xdist worker runs the test,
and the test fails if it falls short. The objects are vectors, records and
products of them (rank ≤ 1, sides ≤ 2), composites of depth 1 or 2 between them:
eager JAX compiles each operation once per shape, so a small set of shapes keeps
the compiled operations in use from one composite to the next, which is what
makes five hundred of them affordable. Other shapes are covered by the primitives'
tests and the axioms' tests.
"""

import pathlib

import jax
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from categories import SMOOTH, BadPoint, laws
from categories.strategies import strategies_for

COMPOSITES = 500
TRIES = 3  # points per composite, where the first lands on a kink (relu at 0)
S = strategies_for(SMOOTH, dtype="float64", max_side=2, max_rank=1)


def _no_zero(point):
    return all(np.all(np.asarray(v) != 0) for v in jax.tree.leaves(point))


def test_composites_against_finite_differences_and_jvp(record_property):
    checked, kinks = [], []

    # a few spare draws: a composite whose every point lands on a kink is not counted
    @settings(max_examples=COMPOSITES + 25)
    @given(data=st.data())
    def check(data):
        A, B = data.draw(S.objects(), "A"), data.draw(S.objects(), "B")
        f = data.draw(S.arrows(A, B, data.draw(st.sampled_from([1, 2]), "depth")), "f")
        for attempt in range(TRIES):
            # a kink is mostly relu at an exact 0, so a retry draws no zero coordinate
            points = S.points(A) if attempt == 0 else S.points(A).filter(_no_zero)
            a, b = data.draw(points, "a"), data.draw(S.points(B), "b")
            try:
                laws.check_derivative(f, a, b, directions=2)  # R[f](a, b) itself, one random
            except BadPoint:
                kinks.append(f)
                continue
            checked.append(f)
            return

    check()
    record_property("composites_checked", len(checked))
    assert len(checked) >= COMPOSITES, (
        f"only {len(checked)} of {COMPOSITES} generated composites were checked "
        f"({len(kinks)} points at kinks)")
    assert len(kinks) <= len(checked) // 10, f"{len(kinks)} points at kinks"


def test_ci_checks_the_same_composites_every_run():
    """``.ci/run`` selects the derandomized profile: the count above is of the same
    composites in every CI run, and a failure there reproduces."""
    ci = (pathlib.Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "export HYPOTHESIS_PROFILE=ci" in ci
    profile = settings.get_profile("ci")
    assert profile.derandomize and profile.database is None
