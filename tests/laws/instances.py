"""The registry the law suite runs over: each entry is a category's strategies.

A new category (circuits, say) adds one line to ``CATEGORIES`` and gets the whole
suite, for itself and for Para and Lens over it. Primitives are listed as
constructors from drawn objects, so every primitive is checked at generated
objects and points, not at hand-picked ones.
"""

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from categories import SMOOTH, ArrayType, ParaCategory, Product, Record, smooth
from categories.strategies import strategies_for
from circuits import CIRCUIT
from circuits import strategies as _circuit_strategies  # noqa: F401  (registers them)
from tests import zthree  # the third category, polynomials over Z3 (registers its strategies)
from lenses import LensCategory
from lenses import strategies as _lens_strategies  # noqa: F401  (registers them)

CATEGORIES = {"smooth": (SMOOTH, {"dtype": "float64", "max_side": 2}), "circuit": (CIRCUIT, {}),
              "z3": (zthree.Z3, {})}
INSTANCES = {name: strategies_for(c, **options) for name, (c, options) in CATEGORIES.items()}
PARAS = {name: strategies_for(ParaCategory(c), **options) for name, (c, options) in CATEGORIES.items()}
LENSES = {name: strategies_for(LensCategory(c), **options) for name, (c, options) in CATEGORIES.items()}
SMOOTH64 = INSTANCES["smooth"]


def point_count(obj) -> float:
    """How many points ``obj`` has, at least: one for the unit, ∞ for float arrays, and
    ``2ⁿ`` for ``n`` elements of a finite ring (bits; trits have more)."""
    if isinstance(obj, (Product, Record)):
        parts = obj.factors if isinstance(obj, Product) else [v for _, v in obj.fields]
        return math.prod(point_count(f) for f in parts)
    size = math.prod(obj.shape)
    if size == 0:
        return 1
    return math.inf if isinstance(obj, ArrayType) and "float" in obj.dtype else 2 ** size


@st.composite
def distinct(draw, S, obj, n, label=""):
    """``n`` points of ``obj``, pairwise distinct as far as ``obj`` has points (a circuit
    object of one bit has two), so that laws over several points are not checked at
    repeated ones by accident."""
    k = int(min(n, point_count(obj)))
    points = draw(S.distinct_points(obj, k), label) if k > 1 else ()
    return tuple(points) + tuple(draw(S.points(obj)) for _ in range(n - len(points)))


_vectors = st.integers(1, 3).map(lambda n: ArrayType((n,), "float64"))
_arrays = SMOOTH64.array_types()


@st.composite
def _matrix(draw, n_in, n_out):
    return draw(hnp.arrays(np.float64, (n_out, n_in), elements=st.floats(-1, 1)))


def _unary(make):
    return _arrays.map(make)


PRIMITIVES = {
    "id": _unary(smooth.id),
    "copy": _unary(smooth.copy),
    "discard": _unary(smooth.discard),
    "negate": _unary(smooth.negate),
    "scale": _unary(lambda X: smooth.scale(X, -1.5)),
    "sigmoid": _unary(smooth.sigmoid),
    "tanh": _unary(smooth.tanh),
    "relu": _unary(smooth.relu),
    "softplus": _unary(smooth.softplus),
    "exp": _unary(smooth.exp),
    "log": _unary(lambda X: smooth.softplus(X) >> smooth.log(X)),
    "sin": _unary(smooth.sin),
    "sum": _unary(smooth.sum),
    "mean": _unary(smooth.mean),
    "flatten": _unary(smooth.flatten),
    "add": _unary(smooth.add),
    "multiply": _unary(smooth.multiply),
    "softmax": SMOOTH64.array_types(min_rank=1).map(smooth.softmax),
    "reshape": _vectors.map(lambda X: smooth.reshape(ArrayType((X.shape[0], 2), "float64"),
                                                     (2, X.shape[0]))),
    "proj": st.tuples(_arrays, _arrays, st.sampled_from([0, 1])).map(lambda t: smooth.proj(*t)),
    "swap": st.tuples(_arrays, _arrays).map(lambda t: smooth.swap(*t)),
    "zero": st.tuples(_arrays, _arrays).map(lambda t: smooth.zero(*t)),
    "constant": _arrays.map(lambda X: smooth.constant(np.full(X.shape, 0.5), dom=X)),
    "linear": st.tuples(st.integers(1, 3), st.integers(1, 3)).flatmap(
        lambda nm: _matrix(*nm)).map(smooth.linear),
    "matmul": st.tuples(st.integers(1, 3), st.integers(1, 3)).map(
        lambda nm: smooth.matmul(ArrayType((nm[1], nm[0]), "float64"),
                                 ArrayType((nm[0],), "float64"))),
    "correlate2d": st.just(smooth.correlate2d(ArrayType((2, 2, 1, 2), "float64"),
                                              ArrayType((3, 4, 1), "float64"))),
    "max_pool2d": st.just(smooth.max_pool2d(ArrayType((4, 4, 2), "float64"))),
}

LINEAR = ["id", "copy", "discard", "negate", "scale", "sum", "mean", "flatten", "add", "reshape",
          "proj", "swap", "zero", "linear"]
KINKED = ["relu", "max_pool2d"]
"""Primitives not differentiable everywhere (relu at 0, max_pool2d at ties): finite
differences cannot check them at a kink, and ``check_derivative`` says so."""
