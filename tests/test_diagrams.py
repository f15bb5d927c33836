"""String diagrams: layout invariants on generated composites, the figures of CFGBL
§2–4 from real paralens objects, and every output format.

The invariants are checked against facts the drawing code does not choose: the
morphism's own parts and objects, the direction values and changes run, the
netlist a circuit holds (the drawn gates, read back as a circuit, must compute
it), the chain rule's order. The image comparisons pin the reproduced figures,
which were looked at when their baselines were made (``write_baselines``).
"""

import itertools
import math
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lenses.strategies  # noqa: F401  (registers the lens strategies)
import circuits.strategies  # noqa: F401  (registers the circuit strategies)
from categories import (SMOOTH, ArrayType, BadFile, BadObject, MissingDependency, NotComposable,
                        Para, ParaCategory, factors, layers, smooth)
from categories.strategies import strategies_for
from circuits import CIRCUIT, Bits, gates, models
from circuits.export import freeze
from diagrams import draw, register_display
from diagrams._layout import layout
from diagrams._terms import Prim, Seq, Spec
from diagrams._tikz import tex
from learners import (ascent, descent, difference, dot, dream, fit, gradient, identity, quadratic,
                      supervised)
from lenses import Lens, LensCategory, LensType, as_lens

BASELINES = Path(__file__).resolve().parent / "baseline_images"
SVG = "{http://www.w3.org/2000/svg}"
X2, X3, X4 = ArrayType((2,)), ArrayType((3,)), ArrayType((4,))


# -- what every drawing must satisfy ------------------------------------------------

def _leaves(port, open_end: bool) -> bool:
    """Values leave a box on its right (downwards from a box stacked above), changes on its
    left or top; at the picture's edge, inputs come in on the left and top, changes on
    the right."""
    if open_end:
        return (port.side, port.flow) in {("left", "fwd"), ("top", "fwd"), ("right", "bwd")}
    return (port.side, port.flow) in {("right", "fwd"), ("bottom", "fwd"), ("left", "bwd"),
                                      ("top", "bwd")}


def _overlap(a, b) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 1e-6 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1e-6


def _inside(a, frame) -> bool:
    return (frame.x0 - 1e-6 <= a.x0 and a.x1 <= frame.x1 + 1e-6
            and frame.y0 - 1e-6 <= a.y0 and a.y1 <= frame.y1 + 1e-6)


def check_invariants(d) -> None:
    """Wires join two ports of one object and direction, from where values leave to where
    they arrive; every port has exactly one wire; boxes never overlap; all on the page."""
    box_ports = {p.id: p for b in d.boxes for p in b.ports}
    ends = {p.id: p for p in d.ends}
    uses = Counter()
    for w in d.wires:
        assert w.source.obj == w.target.obj == w.obj, (w.source, w.target)
        assert w.source.flow == w.target.flow == w.flow
        for p in (w.source, w.target):
            assert p.id in box_ports or p.id in ends
            uses[p.id] += 1
        assert _leaves(w.source, w.source.id in ends), w.source
        assert not _leaves(w.target, w.target.id in ends), w.target
        assert math.dist(w.pieces[0][0], (w.source.x, w.source.y)) < 1e-6
        assert math.dist(w.pieces[-1][3], (w.target.x, w.target.y)) < 1e-6
        assert all(math.dist(a[3], b[0]) < 1e-6 for a, b in zip(w.pieces, w.pieces[1:]))
    assert all(uses[i] == 1 for i in box_ports) and all(uses[i] == 1 for i in ends), uses
    solid = [b for b in d.boxes if b.kind != "frame"]
    for a, b in itertools.combinations(solid, 2):
        assert not _overlap(a, b), (a.label, b.label)
    for f in (b for b in d.boxes if b.kind == "frame"):
        assert all(_inside(b, f) or _inside(f, b) or not _overlap(b, f)
                   for b in d.boxes if b is not f)
    for b in d.boxes:
        assert -1e-6 <= b.x0 <= b.x1 <= d.width + 1e-6 and -1e-6 <= b.y0 <= b.y1 <= d.height + 1e-6
        for p in b.ports:  # on the box's outline
            assert b.x0 - 1e-6 <= p.x <= b.x1 + 1e-6 and b.y0 - 1e-6 <= p.y <= b.y1 + 1e-6


def _part(f, path):
    for i in path:
        f = f.parts[i]
    return f


def _objects(obj):
    return (factors(obj.fwd) + factors(obj.bwd)) if isinstance(obj, LensType) else factors(obj)


def check_structure(d, thing, path=()) -> None:
    """The drawing follows the thing's own parts: ``f >> g`` puts every box of ``f`` left
    of every box of ``g``, ``f @ g`` above; a named box has the ports of its morphism."""
    f = _part(thing, path)
    op = getattr(f, "op", "prim")
    if op in ("then", "tensor"):
        groups = [[b for b in d.boxes if b.path[:len(path) + 1] == path + (i,)]
                  for i in range(len(f.parts))]
        for g, h in itertools.combinations([g for g in groups if g], 2):
            if op == "then":
                assert max(b.x1 for b in g) <= min(b.x0 for b in h) + 1e-6
            else:
                assert max(b.y1 for b in g) <= min(b.y0 for b in h) + 1e-6
        for i in range(len(f.parts)):
            check_structure(d, thing, path + (i,))
        return
    label = (f.name or repr(f)) if isinstance(f, Para) else repr(f)
    for b in d.boxes:
        if b.path == path and b.label in (label, f"R({label})") and b.kind in ("box", "lens"):
            sides = {s: [p.obj for p in b.ports if p.side == s] for s in ("left", "right", "top")}
            assert sides["left"] == list(_objects(f.dom))
            assert sides["right"] == list(_objects(f.cod))
            assert sides["top"] == (list(_objects(f.param)) if isinstance(f, Para) else [])


def check(thing, **options):
    d = draw(thing, **options)
    check_invariants(d)
    check_structure(d, thing)
    return d


# -- generated composites of every kind -----------------------------------------------

SMOOTHS = strategies_for(SMOOTH, dtype="float32", max_side=2)
PARAS = strategies_for(ParaCategory(SMOOTH), dtype="float32", max_side=2)
LENSES = strategies_for(LensCategory(SMOOTH), dtype="float32", max_side=2)
CIRCUITS = strategies_for(CIRCUIT)


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_smooth_composites_and_their_reverse_derivatives(data):
    A, B, C = (data.draw(SMOOTHS.objects()) for _ in range(3))
    f, g = data.draw(SMOOTHS.arrows(A, B, 2)), data.draw(SMOOTHS.arrows(B, C, 1))
    check(f >> g)
    check(f @ g)
    check((f >> g).rd(), expand=True)


@settings(max_examples=10, deadline=None)
@given(st.data())
def test_para_maps_and_parametric_lenses(data):
    A, B, C = (data.draw(PARAS.objects()) for _ in range(3))
    f, g = data.draw(PARAS.paras(A, B)), data.draw(PARAS.paras(B, C))
    for thing in (f >> g, f @ g, as_lens(f >> g)):
        check(thing)
    check(as_lens(f >> g), expand=True)


@settings(max_examples=10, deadline=None)
@given(st.data())
def test_lenses(data):
    A, B, C = (data.draw(LENSES.objects()) for _ in range(3))
    f, g = data.draw(LENSES.lenses(A, B)), data.draw(LENSES.lenses(B, C))
    for thing in (f >> g, f @ g):
        check(thing)
        check(thing, expand=True)


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_circuits_structure_and_gates(data):
    A, B, C = (data.draw(CIRCUITS.objects()) for _ in range(3))
    f, g = data.draw(CIRCUITS.arrows(A, B)), data.draw(CIRCUITS.arrows(B, C))
    check(f >> g, expand=True)
    check(f @ g)
    d = check(f >> g, gates=True)
    assert all(w.source.x < w.target.x for w in d.wires)  # a netlist runs left to right
    assert _simulates(d, f >> g)


# -- the figures of CFGBL §2–4 ---------------------------------------------------------

def iris():
    return layers.dense(4, 20, smooth.sigmoid) >> layers.dense(20, 3, smooth.sigmoid)


def iris_learner():
    return supervised(iris(), quadratic(X3), gradient(), descent(0.01))


def dreamer():
    model = layers.dense(64, 32, smooth.relu) >> layers.dense(32, 10)
    return dream(model, dot(ArrayType((10,))), gradient(), ascent(0.05))


def learned_xor():
    """A lookup table learned by RDA on XOR's truth table: each step writes the label
    into the row of its input, so one pass learns θ = 0110."""
    model = models.lookup_table(2, 1)
    learner = supervised(model, difference(Bits(1), CIRCUIT), gradient(), identity())
    xs = np.array(list(itertools.product((0, 1), repeat=2)), np.uint8)
    state, _ = fit(learner, learner.init(model.init(None)), xs, xs[:, :1] ^ xs[:, 1:],
                   epochs=1, key=jax.random.key(0), shuffle=False, progress=False)
    assert np.asarray(state.params).tolist() == [0, 1, 1, 0]
    return freeze(model, state.params)


FIGURES = {
    "para_composite": lambda: draw(iris()),
    "parametric_lens": lambda: draw(as_lens(layers.dense(4, 3, smooth.sigmoid)), expand=True),
    "supervised_learner": lambda: draw(iris_learner()),
    "deep_dreaming": lambda: draw(dreamer()),
    "learned_circuit": lambda: draw(learned_xor(), gates=True),
}


def test_para_composite_takes_parameters_from_above():
    d = check(iris())
    assert [b.label for b in d.boxes] == [repr(p) for p in iris().parts]
    tops = [w for w in d.wires if w.source.side == "top"]
    assert [w.obj for w in tops] == [p.param for p in iris().parts]
    for w in tops:  # straight down into its layer
        assert w.source.x == pytest.approx(w.target.x) and w.source.y < w.target.y


def test_parametric_lens_sends_changes_back():
    d = check(as_lens(iris()))
    sideways = [w for w in d.wires if {w.source.side, w.target.side} <= {"left", "right"}]
    assert {w.flow for w in sideways} == {"fwd", "bwd"}
    for w in sideways:  # values left to right, changes right to left
        assert (w.source.x < w.target.x) == (w.flow == "fwd")
    for w in d.wires:
        if w.flow == "bwd" and "top" in (w.source.side, w.target.side):
            assert w.target.y < w.source.y  # the parameters' changes go up
    assert all(b.kind == "lens" for b in d.boxes)


def test_opening_a_lens_shows_get_copy_and_put():
    lens = as_lens(layers.dense(4, 3, smooth.sigmoid))
    d = check(lens, expand=True)
    kinds = Counter(b.kind for b in d.boxes)
    inside = lens.inside
    assert kinds["copy"] == len(factors(inside.get.dom))  # each input goes to get and put
    labels = [b.label for b in d.boxes]
    assert "affine" in labels and "sigmoid" in labels and repr(inside.put) in labels
    put = next(b for b in d.boxes if b.label == repr(inside.put))
    get_boxes = [b for b in d.boxes if b.label in ("affine", "sigmoid")]
    assert all(b.y1 <= put.y0 for b in get_boxes)  # put below get


def test_reverse_derivative_is_the_chain_rule():
    X = X2
    f = smooth.sin(X) >> smooth.exp(X) >> smooth.tanh(X)
    assert [b.label for b in check(f.rd()).boxes] == [repr(f.rd())]
    x0 = {b.label: b.x0 for b in check(f.rd(), expand=True).boxes}
    # R[f;g;h](a, c) = R[f](a, R[g](f a, R[h](g f a, c))): forward first, then back
    assert x0["sin"] < x0["exp"] < x0["R[tanh]"] < x0["R[exp]"] < x0["R[sin]"]


def test_supervised_learner_is_closed_as_in_fig_6():
    learner = iris_learner()
    d = check(learner)
    model = learner.model
    root = ET.fromstring(d.svg())
    # layers, loss, cap, optimiser, and a discard for the inputs' and targets' changes
    expected = len(model.parts) + 3 + len(factors(model.dom)) + len(factors(learner.loss.param))
    assert len(root.findall(f".//{SVG}g[@class='box']")) == expected == len(d.boxes)
    by_label = {b.label: b for b in d.boxes}
    opt, cap = by_label["gradient()"], by_label["α = −0.01"]
    layer_boxes = [by_label[f"R({p!r})"] for p in model.parts]  # Para(R) of each layer
    assert cap.kind == "cap" and cap.x0 >= max(b.x1 for b in d.boxes if b is not cap)
    assert opt.y1 <= min(b.y0 for b in layer_boxes)  # the optimiser on the parameter wires
    assert min(b.x0 for b in layer_boxes) <= opt.x0 and opt.x1 <= max(b.x1 for b in layer_boxes)
    top = sorted((e for e in d.ends if e.side == "top"), key=lambda e: e.x)
    P = model.param
    assert [e.obj for e in top if e.flow == "fwd"] == list(factors(P)) + [learner.loss.param]
    assert any(t.text.startswith("inputs: ") for t in d.texts)


def test_deep_dreaming_learns_the_input_as_in_fig_7():
    learner = dreamer()
    d = check(learner)
    opt = next(b for b in d.boxes if b.label == "gradient()")
    layer_boxes = [b for b in d.boxes if b.label.startswith("R(dense")]
    assert opt.x1 <= min(b.x0 for b in layer_boxes)  # on the input port, left of the model
    fixed = [t.text for t in d.texts if t.text.startswith("params (fixed)")]
    assert len(fixed) == len(learner.model.parts)
    # the fixed parameters' changes are discarded, one dot per layer
    assert sum(b.kind == "discard" for b in d.boxes) == len(learner.model.parts) + 1


def _simulates(d, circuit) -> bool:
    """Read the drawn gates back as a circuit and run it on every input."""
    source = {w.target.id: w.source for w in d.wires}
    boxes = {p.id: b for b in d.boxes for p in b.ports}
    ins = [e for e in d.ends if e.side == "left"]

    def value(port, point):
        if port.id not in boxes:  # an input of the picture
            return point[ins.index(port)]
        b = boxes[port.id]
        if port.side == "left":
            return value(source[port.id], point)
        lefts = [value(p, point) for p in b.ports if p.side == "left"]
        if b.kind == "split":
            return lefts[0][[p.id for p in b.ports if p.side == "right"].index(port.id)]
        if b.kind == "join":
            return np.array([v.reshape(()) for v in lefts]).reshape(-1)
        if b.kind == "const":
            return np.array([int(b.label)], np.uint8)
        if b.kind == "copy":
            return lefts[0]
        op = np.bitwise_xor if b.kind == "xor" else np.bitwise_and
        return op(lefts[0], lefts[1])

    outs = [e for e in d.ends if e.side == "right"]
    dom = factors(circuit.dom)
    for raw in itertools.product((0, 1), repeat=sum(f.n for f in dom)):
        point, k = [], 0
        for f in dom:
            point.append(np.array(raw[k:k + f.n], np.uint8))
            k += f.n
        want = circuit(point[0] if len(point) == 1 else tuple(point))
        want = want if isinstance(want, tuple) else (want,)
        got = [np.asarray(value(source[e.id], point)).reshape(-1) for e in outs]
        if [g.tolist() for g in got] != [np.asarray(v).reshape(-1).tolist() for v in want]:
            return False
    return True


def test_learned_circuit_drawn_as_its_gates():
    c = learned_xor()
    d = check(c, gates=True)
    drawn = Counter(b.kind for b in d.boxes)
    assert {k: drawn[k] for k in ("xor", "and", "const")} == {
        k: c.net.counts().get(k, 0) for k in ("xor", "and", "const")}
    readers = Counter(w for _, a, b in c.net.gates for w in (a, b) if w >= 0) + Counter(
        c.net.outputs)
    assert drawn["copy"] >= sum(n > 1 for n in readers.values())
    assert _simulates(d, c)


def test_generators_are_gate_symbols_and_dots():
    f = (gates.copy() @ gates.one()) >> (gates.xor() @ CIRCUIT.id(Bits(1))) >> gates.and_()
    d = check(f)
    assert sorted(b.kind for b in d.boxes) == ["and", "const", "copy", "xor"]
    g = CIRCUIT.swap(Bits(1), Bits(2)) >> (gates.discard(2) @ CIRCUIT.id(Bits(1)))
    d = check(g)
    assert [b.kind for b in d.boxes] == ["discard"]  # the swap is a crossing, the id wires


def test_smooth_structure_dots_crossings_and_sums():
    X, Y = X2, X3
    d = check(smooth.pair(smooth.sin(X), smooth.exp(X)) >> smooth.add(X))
    assert sorted(b.label for b in d.boxes) == sorted(["", "add(f32[2])", "exp", "sin"])
    d = check((smooth.sin(X) + smooth.exp(X)) @ smooth.swap(X, Y))
    assert sorted(b.label for b in d.boxes) == ["", "+", "exp", "sin"]
    d = check(smooth.discard(X @ Y))
    assert [b.kind for b in d.boxes] == ["discard", "discard"]
    assert check(smooth.id(X)).boxes == ()


def test_expand_opens_named_boxes_by_depth_or_name():
    model = iris()
    names = [repr(p) for p in model.parts]
    assert [b.label for b in check(model).boxes] == names
    one = check(model, expand=1)
    assert [b.label for b in one.boxes if b.kind == "frame"] == names
    assert Counter(b.label for b in one.boxes)["affine"] == 2
    first = check(model, expand={names[0]})
    assert [b.label for b in first.boxes] == [names[0], "affine", "sigmoid", names[1]]
    deep = check(as_lens(model), expand=2)
    assert sum(b.kind == "copy" for b in deep.boxes) == 2 * len(model.parts)


def test_reparametrisation_stacks_on_the_parameter_wires():
    a, b = layers.linear(3, 3), layers.linear(3, 3)
    untied = a >> smooth.tanh(X3) >> b
    tie = SMOOTH.copy(a.param)
    flat = untied.reparam(tie, init=a.init)
    tied = Para(flat.param, flat.dom, flat.inside, flat.init, name=flat.name, op="reparam",
                parts=(untied, tie))
    d = check(tied)
    dot = next(x for x in d.boxes if x.kind == "copy")
    layer_boxes = [x for x in d.boxes if x.label == "linear(3→3)"]
    assert len(layer_boxes) == 2 and all(dot.y1 < x.y0 for x in layer_boxes)
    assert [e.obj for e in d.ends if e.side == "top"] == [a.param]


# -- outputs ---------------------------------------------------------------------------

def test_svg_has_one_group_per_box_and_its_label():
    d = draw(iris())
    root = ET.fromstring(d.svg())
    groups = root.findall(f".//{SVG}g[@class='box']")
    assert [g.find(f"{SVG}text").text for g in groups] == [repr(p) for p in iris().parts]
    assert len(root.findall(f".//{SVG}g[@class='wire']")) == len(d.wires)
    assert float(root.get("viewBox").split()[2]) == pytest.approx(d.width, abs=0.01)


def test_tikz_escapes_latex_and_maps_symbols():
    assert tex("{bias: f32[3]}_1 → ⊕ 50% ☃") == r"\{bias: f32[3]\}\_1 $\to$ $\oplus$ 50\% ?"
    text = draw(iris_learner()).tikz()
    assert text.startswith("\\begin{tikzpicture}") and text.rstrip().endswith("\\end{tikzpicture}")
    assert "{$\\alpha$ = $-$0.01}" in text  # the cap's label, α = −0.01


ENGINE = shutil.which("pdflatex") or shutil.which("lualatex")


@pytest.mark.skipif(ENGINE is None, reason="no LaTeX engine (pdflatex or lualatex) on PATH; "
                                          "CI installs none")
def test_tikz_compiles(tmp_path):
    for name in ("supervised_learner", "learned_circuit"):
        source = FIGURES[name]().save(tmp_path / f"{name}.tex")
        run = subprocess.run([ENGINE, "-interaction=nonstopmode", "-halt-on-error", source.name],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout[-2000:]
        assert (tmp_path / f"{name}.pdf").read_bytes().startswith(b"%PDF")


def test_save_writes_each_format_whole(tmp_path):
    d = draw(iris())
    for suffix in ("svg", "png", "pdf", "tex"):
        d.save(tmp_path / f"model.{suffix}")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "model.pdf", "model.png", "model.svg", "model.tex"]
    assert (tmp_path / "model.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "model.pdf").read_bytes().startswith(b"%PDF")
    ET.parse(tmp_path / "model.svg")
    assert "\\documentclass" in (tmp_path / "model.tex").read_text()
    with pytest.raises(BadFile, match=r"model\.jpg.*\.svg, \.png, \.pdf, \.tex"):
        d.save(tmp_path / "model.jpg")
    with pytest.raises(BadFile, match="cannot save a diagram as"):
        d.save(tmp_path / "missing" / "model.svg")


def test_png_without_matplotlib_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependency, match=r"pip install 'paralens\[papers\]'"):
        draw(iris()).save(tmp_path / "model.png")
    assert list(tmp_path.iterdir()) == []
    draw(iris()).save(tmp_path / "model.svg")  # SVG needs nothing


def test_notebook_shows_morphisms_and_learners():
    from IPython.core.formatters import DisplayFormatter
    shell = SimpleNamespace(display_formatter=DisplayFormatter())
    assert register_display(shell)
    for thing in (iris(), as_lens(iris()), iris_learner(), gates.xor()):
        shown, _ = shell.display_formatter.format(thing)
        ET.fromstring(shown["image/svg+xml"])
    assert register_display() is False  # no IPython running here


def test_misuse_is_named():
    with pytest.raises(BadObject, match=r"cannot draw 42 \(int\)"):
        draw(42)
    with pytest.raises(BadObject, match="expand must be"):
        draw(iris(), expand="dense")
    with pytest.raises(NotComposable, match=r"'f' before 'g'.*f32\[2\].*f32\[3\]"):
        layout(Seq((Prim("f", right=(Spec(X2),)), Prim("g", left=(Spec(X3),)))))


def test_hand_made_lens_shows_its_get_and_put():
    put = smooth.primitive("cos(a)·b'", X2 @ X2, X2, lambda ab: jax.numpy.cos(ab[0]) * ab[1])
    lens = Lens(smooth.sin(X2), put)
    d = check(lens, expand=True)
    assert {"sin", "cos(a)·b'"} <= {b.label for b in d.boxes}


# -- the figures of the papers, against their baselines --------------------------------

DPI = 60


def write_baselines() -> None:
    """Redraw the baselines (then look at them before committing):
    ``python -c "from tests.test_diagrams import write_baselines; write_baselines()"``."""
    BASELINES.mkdir(exist_ok=True)
    for name, figure in FIGURES.items():
        figure().save(BASELINES / f"{name}.png", dpi=DPI)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figures_match_their_baselines(name, tmp_path):
    from matplotlib.testing.compare import compare_images
    actual = FIGURES[name]().save(tmp_path / f"{name}.png", dpi=DPI)
    assert compare_images(str(BASELINES / f"{name}.png"), str(actual), tol=2) is None


def test_main_job_saves_the_drawing_of_the_learner_it_trains(tmp_path):
    from papers.cfgbl import iris
    iris.jax_keys("linear", quick=True, out=tmp_path, options={})
    root = ET.parse(tmp_path / "cfgbl.iris.linear.learner.svg").getroot()
    names = {g.get("data-name") for g in root.findall(f".//{SVG}g[@class='box']")}
    assert {"R(linear(4→3))", "R(quadratic)", "gradient()", "α = −0.01"} <= names
