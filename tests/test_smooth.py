"""Smooth primitives and Para layers against independent references: numpy
formulas and loops written here, jax.jacobian, and the paper's golden example
(theory.md §1.4); the CFGBL MNIST CNN shapes of theory.md §5.2."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from categories import I, ArrayType, BadPoint, LawViolation, Record, SMOOTH, laws, layers, smooth

F32 = st.floats(-3, 3, width=32)


def arrays(shape, elements=F32):
    return hnp.arrays(np.float32, shape, elements=elements)


def close(actual, expected, rtol=2e-5, atol=1e-6):
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected)
        return [close(a, e, rtol, atol) for a, e in zip(actual, expected)]
    np.testing.assert_allclose(np.asarray(actual, np.float64), expected, rtol=rtol, atol=atol)


# -- §1.4 golden example: f(x1, x2) = (x1³ + 2 x1 x2, x2, sin x1) ---------------------

S = ArrayType((), "float64")


def golden_composite():
    p0, p1 = smooth.proj(S, S, 0), smooth.proj(S, S, 1)
    cube = smooth.copy(S) >> (smooth.copy(S) >> smooth.multiply(S)) @ smooth.id(S) >> smooth.multiply(S)
    first = smooth.pair(p0 >> cube, smooth.multiply(S) >> smooth.scale(S, 2.0)) >> smooth.add(S)
    return smooth.pair(smooth.pair(first, p1), p0 >> smooth.sin(S))


def golden_jacobian_t(x1, x2):
    return np.array([[3 * x1**2 + 2 * x2, 0.0, np.cos(x1)], [2 * x1, 1.0, 0.0]])


@given(st.floats(-2, 2), st.floats(-2, 2), arrays((3,), st.floats(-2, 2)).map(lambda v: v.astype(np.float64)))
def test_golden_example(x1, x2, v):
    f = golden_composite()
    assert f.dom == S @ S and f.cod == S @ S @ S
    V2 = ArrayType((2,), "float64")
    g = smooth.primitive("golden", V2, ArrayType((3,), "float64"),
                         lambda x: jnp.stack([x[0]**3 + 2 * x[0] * x[1], x[1], jnp.sin(x[0])]))
    expected = golden_jacobian_t(x1, x2) @ v
    with jax.enable_x64(True):
        a = (jnp.asarray(x1, jnp.float64), jnp.asarray(x2, jnp.float64))
        close(f(a), [x1**3 + 2 * x1 * x2, x2, np.sin(x1)], 1e-12, 1e-12)
        close(f.rd()((*a, *map(jnp.asarray, v))), expected, 1e-12, 1e-12)
        av = jnp.array([x1, x2])
        close(g.rd()((av, jnp.asarray(v))), expected, 1e-12, 1e-12)
        close(jax.jacobian(g.fn)(av).T, golden_jacobian_t(x1, x2), 1e-12, 1e-12)


# -- every primitive against numpy -------------------------------------------------------

def _sig(x):
    return 1 / (1 + np.exp(-x))


# name: (constructor, f, f', element strategy)
ELEMENTWISE = {
    "sigmoid": (smooth.sigmoid, _sig, lambda x: _sig(x) * (1 - _sig(x)), F32),
    "tanh": (smooth.tanh, np.tanh, lambda x: 1 - np.tanh(x) ** 2, F32),
    "relu": (smooth.relu, lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0,
             F32.filter(lambda t: abs(t) > 1e-3)),
    "softplus": (smooth.softplus, lambda x: np.logaddexp(0, x), _sig, F32),
    "exp": (smooth.exp, np.exp, np.exp, F32),
    "log": (smooth.log, np.log, lambda x: 1 / x, st.floats(0.125, 5, width=32)),
    "sin": (smooth.sin, np.sin, np.cos, F32),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@given(data=st.data())
def test_elementwise(name, data):
    make, f, df, elements = ELEMENTWISE[name]
    X = ArrayType((3, 4))
    x, b = data.draw(arrays((3, 4), elements)), data.draw(arrays((3, 4)))
    prim = make(X)
    assert (prim.dom, prim.cod, repr(prim)) == (X, X, name)
    y = prim(x)
    assert y.dtype == jnp.float32
    xd = x.astype(np.float64)
    close(y, f(xd))
    close(prim.rd()((x, b)), df(xd) * b, atol=1e-5)


VEC, Y3 = ArrayType((4,)), ArrayType((3,))


@given(arrays((4,)), arrays((4,)), arrays((4,)), arrays((3,)), arrays((3, 4)))
def test_additive_and_linear_primitives(x, y, b, c, w):
    close(smooth.add(VEC)((x, y)), x + y.astype(np.float64))
    close(smooth.add(VEC).rd()((x, y, b)), (b, b))
    close(smooth.multiply(VEC)((x, y)), x * y.astype(np.float64))
    close(smooth.multiply(VEC).rd()((x, y, b)), (y * b, x * b))
    close((smooth.negate(VEC)(x), smooth.negate(VEC).rd()((x, b))), (-x, -b))
    sc = smooth.scale(VEC, 2.5)
    assert sc(x).dtype == jnp.float32
    close((sc(x), sc.rd()((x, b))), (2.5 * x, 2.5 * b))
    lin = smooth.linear(w)
    assert (lin.dom, lin.cod) == (VEC, Y3)
    wd = w.astype(np.float64)
    close((lin(x), lin.rd()((x, c))), (wd @ x, wd.T @ c), atol=1e-5)
    mm = smooth.matmul(ArrayType((3, 4)), VEC)
    assert (mm.dom, mm.cod) == (ArrayType((3, 4)) @ VEC, Y3)
    close(mm((w, x)), wd @ x, atol=1e-5)
    close(mm.rd()((w, x, c)), (np.outer(c, x), wd.T @ c), atol=1e-5)
    assert smooth.matmul(ArrayType((3, 4)), ArrayType((4, 2))).cod == ArrayType((3, 2))
    with pytest.raises(ValueError):
        smooth.matmul(ArrayType((3, 4)), Y3)


@given(arrays((2, 3, 4)), arrays((2, 3, 4)), F32)
def test_reductions_reshapes_softmax(x, b, s):
    X = ArrayType((2, 3, 4))
    s = np.float32(s)
    for prim, ref, grad in [(smooth.sum(X), np.sum(x, dtype=np.float64), s * np.ones(X.shape)),
                            (smooth.mean(X), np.mean(x, dtype=np.float64), s / 24 * np.ones(X.shape))]:
        assert prim.cod == ArrayType((), "float32")
        close(prim(x), ref, atol=1e-5)
        close(prim.rd()((x, jnp.asarray(s))), grad)
    rs = smooth.reshape(X, (6, 4))
    assert rs.cod == ArrayType((6, 4))
    close((rs(x), rs.rd()((x, b.reshape(6, 4)))), (x.reshape(6, 4), b))
    with pytest.raises(ValueError):
        smooth.reshape(X, (5, 5))
    fl = smooth.flatten(X)
    assert fl.cod == ArrayType((24,))
    close((fl(x), fl.rd()((x, b.ravel()))), (x.ravel(), b))
    sm = smooth.softmax(X)(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True).astype(np.float64))
    close(sm, e / e.sum(axis=-1, keepdims=True))
    close(np.sum(np.asarray(sm), axis=-1), np.ones((2, 3)), atol=1e-6)


@given(arrays((4,)), arrays((3,)), arrays((4,)), arrays((4,)), arrays((3,)))
def test_cartesian_structure(x, y, b1, b2, c):
    close((smooth.id(VEC)(x), smooth.id(VEC).rd()((x, b1))), (x, b1))
    cp = smooth.copy(VEC)
    assert cp.cod == VEC @ VEC
    close(cp(x), (x, x))
    close(cp.rd()((x, b1, b2)), b1 + b2.astype(np.float64))
    d = smooth.discard(VEC)
    assert d.cod == I and d(x) == ()
    close(d.rd()(x), np.zeros(4))
    p0, p1 = smooth.proj(VEC, Y3, 0), smooth.proj(VEC, Y3, 1)
    close((p0((x, y)), p1((x, y))), (x, y))
    close(p0.rd()((x, y, b1)), (b1, np.zeros(3)))
    close(p1.rd()((x, y, c)), (np.zeros(4), c))
    pr = smooth.pair(smooth.sin(VEC), smooth.exp(VEC))
    assert pr.cod == VEC @ VEC
    xd = x.astype(np.float64)
    close(pr(x), (np.sin(xd), np.exp(xd)))
    close(pr.rd()((x, b1, b2)), np.cos(xd) * b1 + np.exp(xd) * b2, atol=1e-5)
    sw = smooth.swap(VEC, Y3)
    assert (sw.dom, sw.cod) == (VEC @ Y3, Y3 @ VEC)
    close(sw((x, y)), (y, x))
    close(sw.rd()((x, y, c, b1)), (b1, c))
    z = smooth.zero(VEC, Y3)
    close((z(x), z.rd()((x, c))), (np.zeros(3), np.zeros(4)))
    v = np.array([1.0, -2.0, 0.5], np.float32)
    k0, k1 = smooth.constant(v), smooth.constant(v, VEC)
    assert (k0.dom, k0.cod, k1.dom) == (I, Y3, VEC)
    close((k0(()), k1(x)), (v, v))
    close(k1.rd()((x, c)), np.zeros(4))


# -- correlation and pooling ---------------------------------------------------------------

def np_correlate(k, x):
    kh, kw, _, co = k.shape
    h, w = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    out = np.zeros((h, w, co))
    for i in range(h):
        for j in range(w):
            out[i, j] = np.tensordot(x[i:i + kh, j:j + kw].astype(np.float64), k, axes=3)
    return out


def np_correlate_vjp(k, x, b):
    kh, kw = k.shape[:2]
    dk, dx = np.zeros(k.shape), np.zeros(x.shape)
    for i in range(b.shape[0]):
        for j in range(b.shape[1]):
            dk += x[i:i + kh, j:j + kw, :, None].astype(np.float64) * b[i, j]
            dx[i:i + kh, j:j + kw] += np.tensordot(k, b[i, j].astype(np.float64), axes=1)
    return dk, dx


def np_max_pool(x, n):
    h, w, c = x.shape[0] // n, x.shape[1] // n, x.shape[2]
    return x[:h * n, :w * n].reshape(h, n, w, n, c).max(axis=(1, 3))


@given(st.data())
def test_correlate2d_matches_numpy_loop(data):
    h, w, ci, co = (data.draw(st.integers(lo, hi)) for lo, hi in [(3, 7), (3, 7), (1, 3), (1, 3)])
    kh, kw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    k, x = (rng.standard_normal(s).astype(np.float32) for s in [(kh, kw, ci, co), (h, w, ci)])
    b = rng.standard_normal((h - kh + 1, w - kw + 1, co)).astype(np.float32)
    f = smooth.correlate2d(ArrayType(k.shape), ArrayType(x.shape))
    assert f.cod == ArrayType(b.shape)
    close(f((k, x)), np_correlate(k, x), atol=1e-5)
    close(f.rd()((k, x, b)), np_correlate_vjp(k, x, b), atol=1e-4)
    with pytest.raises(ValueError):
        smooth.correlate2d(ArrayType((kh, kw, ci + 1, co)), ArrayType(x.shape))


@given(st.data())
def test_max_pool2d_and_its_derivative_route_to_argmax(data):
    n = data.draw(st.sampled_from([2, 3]))
    h, w, c = data.draw(st.integers(n, 7)), data.draw(st.integers(n, 7)), data.draw(st.integers(1, 3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    x = rng.permutation(h * w * c).reshape(h, w, c).astype(np.float32)  # distinct values
    pool = smooth.max_pool2d(ArrayType((h, w, c)), n)
    assert pool.cod == ArrayType((h // n, w // n, c))
    close(pool(x), np_max_pool(x, n))
    b = rng.standard_normal(pool.cod.shape).astype(np.float32)
    expected = np.zeros(x.shape)
    for i, j, ch in np.ndindex(*b.shape):
        win = x[i * n:(i + 1) * n, j * n:(j + 1) * n, ch]
        di, dj = np.unravel_index(np.argmax(win), win.shape)
        expected[i * n + di, j * n + dj, ch] = b[i, j, ch]
    close(pool.rd()((x, b)), expected)


# -- the CFGBL MNIST CNN (theory.md §5.2) --------------------------------------------------

def test_mnist_cnn_shapes_forward_and_vjp():
    img = ArrayType((28, 28, 1))
    conv1, conv2 = layers.conv2d(img, (3, 3), 3), layers.conv2d(ArrayType((13, 13, 3)), (4, 4), 5)
    c1, c3 = conv1.cod, conv2.cod
    stages = [conv1, smooth.relu(c1), smooth.max_pool2d(c1), conv2, smooth.relu(c3),
              smooth.max_pool2d(c3), smooth.flatten(ArrayType((5, 5, 5))),
              layers.dense(125, 10, smooth.sigmoid)]
    cods = [(26, 26, 3), (26, 26, 3), (13, 13, 3), (10, 10, 5), (10, 10, 5), (5, 5, 5), (125,), (10,)]
    model = stages[0]
    assert model.cod == ArrayType(cods[0])
    for stage, shape in zip(stages[1:], cods[1:]):
        model = model >> stage
        assert model.cod == ArrayType(shape, "float32")
    assert model.param == (Record(kernel=ArrayType((3, 3, 1, 3))) @ Record(kernel=ArrayType((4, 4, 3, 5)))
                           @ Record(weight=ArrayType((10, 125)), bias=ArrayType((10,))))
    params = model.init(jax.random.key(0))
    x = np.asarray(jax.random.uniform(jax.random.key(1), (28, 28, 1)))
    y = model(params, x)
    assert y.shape == (10,) and y.dtype == jnp.float32 and bool(jnp.all((y > 0) & (y < 1)))
    k1, k2, d = (jax.tree.map(np.asarray, p) for p in params)
    h = np_max_pool(np.maximum(np_correlate(k1["kernel"], x), 0), 2)
    h = np_max_pool(np.maximum(np_correlate(k2["kernel"], h), 0), 2).ravel()
    close(y, _sig(d["weight"] @ h + d["bias"]), atol=1e-5)
    ct = jax.random.normal(jax.random.key(2), (10,))
    laws.check_vjp(model.inside, (*params, jnp.asarray(x)), ct)


# -- layers -------------------------------------------------------------------------------

def test_layer_parameter_objects_and_names():
    cases = [
        (layers.linear(4, 3), Record(weight=ArrayType((3, 4))), "linear(4→3)", VEC, Y3),
        (layers.bias(3), Record(bias=Y3), "bias(3)", Y3, Y3),
        (layers.dense(4, 3, smooth.sigmoid), Record(weight=ArrayType((3, 4)), bias=Y3),
         "dense(4→3, sigmoid)", VEC, Y3),
        (layers.dense(4, 3), Record(weight=ArrayType((3, 4)), bias=Y3), "dense(4→3)", VEC, Y3),
        (layers.conv2d(ArrayType((8, 8, 2)), (3, 3), 4), Record(kernel=ArrayType((3, 3, 2, 4))),
         "conv2d(3×3, 2→4)", ArrayType((8, 8, 2)), ArrayType((6, 6, 4))),
    ]
    for layer, param, name, dom, cod in cases:
        assert (layer.param, repr(layer), layer.dom, layer.cod) == (param, name, dom, cod)
        p = layer.init(jax.random.key(3))
        SMOOTH.check_point(param, p)  # keys, shapes and float32 dtypes
        assert all(v.dtype == jnp.float32 for v in p.values())
        same, other = layer.init(jax.random.key(3)), layer.init(jax.random.key(4))
        for field, v in p.items():  # biases start at zero whatever the key
            assert np.array_equal(v, same[field])
            assert np.array_equal(v, other[field]) == (field == "bias") == (not np.any(v))
    with jax.enable_x64(True):
        p = layers.dense(4, 3, dtype="float64").init(jax.random.key(0))
        assert p["weight"].dtype == jnp.float64 and p["bias"].dtype == jnp.float64


@given(arrays((4,)), arrays((3, 4)), arrays((3,)))
def test_dense_matches_numpy(x, w, b):
    layer = layers.dense(4, 3, smooth.sigmoid)
    close(layer({"weight": w, "bias": b}, x),
          _sig(w.astype(np.float64) @ x + b), atol=1e-5)


def test_composite_params_are_a_tuple_in_composition_order():
    lin, bia, den = layers.linear(4, 3), layers.bias(3, init=jax.nn.initializers.normal()), layers.dense(3, 2)
    model = lin >> bia >> smooth.sigmoid(Y3) >> den
    assert model.param == lin.param @ bia.param @ den.param
    params = model.init(jax.random.key(0))
    assert isinstance(params, tuple) and [sorted(p) for p in params] == [["weight"], ["bias"], ["bias", "weight"]]
    assert [p["weight"].shape for p in (params[0], params[2])] == [(3, 4), (2, 3)]
    x = np.linspace(-1, 1, 4, dtype=np.float32)
    w1, b1, w2, b2 = (np.asarray(v, np.float64) for v in (params[0]["weight"], params[1]["bias"],
                                                           params[2]["weight"], params[2]["bias"]))
    close(model(params, x), w2 @ _sig(w1 @ x + b1) + b2, atol=1e-5)
    assert jax.tree.all(jax.tree.map(np.array_equal, params, model.init(jax.random.key(0))))


# -- a user-defined primitive with an explicit reverse-derivative rule ---------------------

@given(arrays((3,), st.floats(1, 2, width=32)), arrays((3,)), arrays((3,)))
def test_user_rule_is_what_R_uses(x, dy, u):
    X = ArrayType((3,))
    xd = x.astype(np.float64)
    wrong = smooth.primitive("cube", X, X, lambda t: t**3, rd=lambda t, ct: 2 * t * ct)
    right = smooth.primitive("cube", X, X, lambda t: t**3, rd=lambda t, ct: 3 * t**2 * ct)
    close(wrong(x), xd**3)
    close(wrong.rd()((x, dy)), 2 * xd * dy)  # the rule, not 3x²
    close((wrong >> smooth.sin(X)).rd()((x, dy)), 2 * xd * np.cos(xd**3) * dy, atol=1e-5)
    with pytest.raises(LawViolation):
        laws.check_vjp(wrong, x, np.ones(3, np.float32))
    laws.check_vjp(right, x, dy)
    # R[R[f]]((x, dy), u) = (∂/∂x ⟨R[f](x, dy), u⟩, ∂/∂dy ⟨R[f](x, dy), u⟩), from the rule
    close(wrong.rd().rd()((x, dy, u)), (2 * dy * u, 2 * xd * u), atol=1e-5)
    close(right.rd().rd()((x, dy, u)), (6 * xd * dy * u, 3 * xd**2 * u), atol=1e-5)
    close(right.fd()((x, u)), 3 * xd**2 * u, atol=1e-5)


def test_every_exported_primitive_is_tested_here():
    tested = set(ELEMENTWISE) | {"primitive", "id", "copy", "discard", "proj", "pair", "swap", "add",
                                 "multiply", "zero", "negate", "scale", "constant", "linear", "matmul",
                                 "softmax", "sum", "mean", "reshape", "flatten", "correlate2d",
                                 "max_pool2d"}
    assert set(smooth.__all__) <= tested


# -- what primitive() checks: rule shapes at construction, fn on its first run -------------

X3, X2_ = ArrayType((3,)), ArrayType((2,))


def suffix_sums(x, b):
    return jnp.cumsum(b[::-1])[::-1]


@given(arrays((3,)), arrays((3,)))
def test_a_function_with_optional_arguments_takes_a_rule(x, b):
    """jnp.cumsum(a, axis=None, dtype=None, out=None): custom_vjp reads the signature."""
    cumsum = smooth.primitive("cumsum", X3, X3, jnp.cumsum, rd=suffix_sums)
    close(cumsum(x), np.cumsum(x, dtype=np.float64), atol=1e-5)
    close(cumsum.rd()((x, b)), np.cumsum(b[::-1], dtype=np.float64)[::-1], atol=1e-5)
    close((cumsum >> smooth.sin(X3)).rd()((x, b)),
          np.cumsum((np.cos(np.cumsum(x, dtype=np.float64)) * b)[::-1])[::-1], atol=1e-4)
    laws.check_derivative(cumsum, x, b)


RULE_MISFITS = [  # (rd, fragments of the message after "primitive 'r': rd …")
    (lambda x, b: b[:2], ["rd must return a point of f32[3]", "shape", "(2,)"]),
    (lambda x, b: (b, b), ["rd must return a point of f32[3]", "tuple"]),
    (lambda x, b: b.astype(jnp.int32), ["rd must return a point of f32[3]", "int32"]),
    (lambda x, b: jnp.sum(b), ["rd must return a point of f32[3]", "shape ()"]),
    (lambda x, b: x @ jnp.ones((2, 2)), ["rd fails on a point of f32[3] @ f32[3]", "TypeError"]),
]


@pytest.mark.parametrize("rd, fragments", RULE_MISFITS, ids=range(len(RULE_MISFITS)))
def test_a_misfit_rule_is_named_at_construction(rd, fragments):
    with pytest.raises(BadPoint, match="(?s)primitive 'r': " + ".*".join(map(re.escape, fragments))):
        smooth.primitive("r", X3, X3, jnp.sin, rd=rd)


def test_a_misfit_function_with_a_rule_is_named_at_construction():
    with pytest.raises(BadPoint, match=re.escape("primitive 'head': fn must return a point of f32[3]")
                       + ".*" + re.escape("(2,)")):
        smooth.primitive("head", X3, X3, lambda x: x[:2], rd=lambda x, b: b)
    with jax.enable_x64(False):  # float64 objects are checked in float64 even so
        smooth.primitive("f64", ArrayType((2,), "float64"), ArrayType((2,), "float64"),
                         jnp.sin, rd=lambda x, b: jnp.cos(x) * b)


def test_a_misfit_function_without_a_rule_is_named_on_its_first_run():
    head = smooth.primitive("head", X3, X3, lambda x: x[:2])  # building traces nothing
    message = re.escape("primitive 'head': fn must return a point of f32[3]") + ".*" + re.escape("(2,)")
    for run in (lambda: head(jnp.zeros(3)),
                lambda: (head >> smooth.sin(X3))(jnp.zeros(3)),
                lambda: jax.jit((smooth.sin(X3) >> head).fn)(jnp.zeros(3)),
                lambda: (smooth.sin(X3) >> head).rd()((jnp.zeros(3), jnp.zeros(3)))):
        with pytest.raises(BadPoint, match=message):
            run()
    fine = smooth.primitive("tail", X3, X2_, lambda x: x[1:])
    close(fine(jnp.arange(3.0)), [1.0, 2.0])
