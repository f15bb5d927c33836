"""The experiment registry and the runner behind ``python -m papers``.

A run writes into a fresh folder of its own (:func:`new_run_folder`) and saves
``results.json`` and ``results.md`` again after every experiment, with the
experiments still to run marked pending, so a run that is interrupted or
crashes keeps everything it finished. Experiments that share a :class:`Figure`
are drawn in one picture once the last of them has run; any other experiment
with curves gets a picture of its own as it finishes.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterator

QUICK_LABEL = "quick smoke run: tiny budgets that check everything works, not the papers' numbers"
FULL_LABEL = "full run"


@dataclass
class Result:
    """What an experiment reports: its number, the reference and what that reference is.

    ``curves`` maps a curve's name (``"training loss"``, ``"test accuracy"``) to one
    value per epoch; ``budget`` says what was run (``"400 epochs"``), from the numbers
    the experiment used, so a quick run's rows say their own budget.
    """

    value: float | None
    reference: float | None = None
    reference_note: str = ""
    curves: dict[str, list[float]] = field(default_factory=dict)
    note: str = ""
    budget: str = ""


@dataclass(frozen=True)
class Figure:
    """One picture for a family of experiments: a panel per curve name, a line per
    experiment. ``title`` says what the lines share (model, data, hyperparameters)."""

    name: str
    title: str


@dataclass(frozen=True)
class Experiment:
    """A named reproduction: ``run(quick, out, options) -> Result``.

    ``figure``: the family picture its curves go into (None: a picture of its own,
    named by ``key``); ``label``: its line's name there.
    """

    key: str
    paper: str
    title: str
    metric: str
    run: Callable[..., Result]
    figure: Figure | None = None
    label: str = ""


def new_run_folder(root: Path, *, quick: bool) -> Path:
    """A new, empty folder ``root/run-NNN`` (``root/quick-NNN`` for a quick run), numbered
    one past the highest of its kind, and proven writable by a probe file.

    Raises:
        OSError: from the file system, when ``root`` cannot hold the folder and its files.
    """
    prefix = "quick-" if quick else "run-"
    root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[len(prefix):]) for p in root.glob(prefix + "*")
               if p.name[len(prefix):].isdigit()]
    number = max(numbers, default=0) + 1
    while True:
        folder = root / f"{prefix}{number:03d}"
        try:
            folder.mkdir()
            break
        except FileExistsError:  # another run took this number since the glob
            number += 1
    # A folder can be creatable where files are not (a full disk, a quota), and the
    # experiments must not run only to find that out at their first write.
    probe = folder / ".write-probe"
    probe.write_bytes(b"probe")
    probe.unlink()
    return folder


def with_budget(title: str, budget: str, *, quick: bool) -> str:
    """A title with the budget that was run, marked quick in a quick run: the table's
    rows and the figures' titles.

    Example:
        >>> with_budget("Iris, SGD 0.01", "400 epochs", quick=False)
        'Iris, SGD 0.01, 400 epochs'
        >>> with_budget("Iris, SGD 0.01", "5 epochs", quick=True)
        'Iris, SGD 0.01 (quick: 5 epochs)'
    """
    if quick:
        return f"{title} (quick: {budget})" if budget else f"{title} (quick)"
    return f"{title}, {budget}" if budget else title


def table(rows: list[dict], *, quick: bool = False) -> str:
    """The results as one markdown table; unfinished experiments say what became of them.

    Values are fractions (accuracies, hit rates), shown with four decimals; references
    are shown as their sources give them.
    """
    out = ["| experiment | metric | reference | paralens | wall time |",
           "| --- | --- | --- | --- | --- |"]
    for r in rows:
        ref = "—" if r["reference"] is None else f"{r['reference']:.4g}"
        if r["reference_note"]:
            ref += f" ({r['reference_note']})"
        if r["status"] != "done":
            value = r["status"]
        else:
            value = "—" if r["value"] is None else f"{r['value']:.4f}"
        if r["note"]:
            value += f" ({r['note']})"
        seconds = "—" if r["seconds"] is None else f"{r['seconds']:.1f} s"
        title = with_budget(r["title"], r["budget"], quick=quick)
        out.append(f"| {r['key']}: {title} | {r['metric']} | {ref} | {value} | {seconds} |")
    return "\n".join(out)


def report(rows: list[dict], *, quick: bool, started: str) -> str:
    """results.md: what kind of run this is, how far it got, and the table."""
    counts = {s: sum(r["status"] == s for r in rows)
              for s in ("done", "failed", "interrupted", "pending")}
    progress = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return (f"# paralens papers: {QUICK_LABEL if quick else FULL_LABEL}\n\n"
            f"Started {started}; {len(rows)} experiments: {progress}.\n\n"
            f"{table(rows, quick=quick)}\n")


def run_all(experiments: list[Experiment], *, quick: bool, out: Path,
            options: dict, progress: bool = True) -> list[dict]:
    """Run the experiments in order in the run folder ``out``, saving after each one.

    ``results.json`` and ``results.md`` are replaced whole after every experiment and
    its figure is drawn as it finishes (a family's once its last member has run). A
    quick run compiles with XLA's optimisations off: its budgets are so small that
    compiling is nearly all of its time. An experiment that raises is recorded as
    failed (its traceback printed and kept in results.json) and the others still run.
    Ctrl-C stops the run: the experiment under way is marked interrupted, the rest stay
    pending, and the table is saved before the ``KeyboardInterrupt`` goes on.

    Returns:
        One row per experiment; its ``"status"`` is done or failed.
    """
    from tqdm.auto import tqdm

    started = datetime.datetime.now().isoformat(timespec="seconds")
    rows = [_row(e, "pending", None) for e in experiments]
    save = lambda: _save(rows, out, quick=quick, started=started)  # noqa: E731
    bar = tqdm(total=len(experiments), desc="experiments", unit="exp", disable=not progress)
    running = None
    try:
        with ctrl_c_remembered() as pressed, _compile_effort(quick):
            save()
            for i, e in enumerate(experiments):
                bar.set_postfix_str(e.key)
                running = i
                rows[i] = _run_one(e, quick=quick, out=out, options=options)
                save()
                if _plot(experiments, rows, i, out, quick=quick):
                    save()  # the rows now name their picture
                bar.update()
                if pressed:  # a Ctrl-C that Python swallowed (it came during a callback)
                    raise KeyboardInterrupt
    except KeyboardInterrupt:
        if running is not None and rows[running]["status"] == "pending":
            rows[running]["status"] = "interrupted"
        save()
        raise
    finally:
        bar.close()
    return rows


@contextlib.contextmanager
def ctrl_c_remembered() -> Iterator[list[int]]:
    """Ctrl-C raises KeyboardInterrupt as usual and is also noted in the list yielded.

    Python drops an exception raised inside a weakref callback or ``__del__`` (JAX runs
    many, even while it is imported), so a Ctrl-C landing there would be lost and the
    run would go on; the note lets the caller stop at its next check, and the dropped
    exception's traceback is not printed. Nested uses share the outer note.
    """
    current = signal.getsignal(signal.SIGINT)
    if isinstance(getattr(current, "pressed", None), list):
        yield current.pressed
        return
    pressed: list[int] = []

    def handler(signum: int, frame: object) -> None:
        pressed.append(signum)
        raise KeyboardInterrupt

    def unraisable(report: sys.UnraisableHookArgs) -> None:
        if not (pressed and report.exc_type is KeyboardInterrupt):
            previous_hook(report)

    handler.pressed = pressed  # type: ignore[attr-defined]
    # Only Python's own handler is replaced: not an ignored SIGINT (a background job),
    # nor a caller's handler, nor outside the main thread, where signals cannot be set.
    ours = (threading.current_thread() is threading.main_thread()
            and current is signal.default_int_handler)
    if ours:
        signal.signal(signal.SIGINT, handler)
    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        yield pressed
    finally:
        sys.unraisablehook = previous_hook
        if ours:
            signal.signal(signal.SIGINT, current)


@contextlib.contextmanager
def _compile_effort(quick: bool) -> Iterator[None]:
    """XLA's optimisations off for a quick run (JAX's documented switch for programs
    that run for less time than they take to optimise), restored afterwards."""
    import jax

    name = "jax_disable_most_optimizations"
    before = jax.config.read(name)
    jax.config.update(name, quick)
    try:
        yield
    finally:
        jax.config.update(name, before)


def _row(e: Experiment, status: str, seconds: float | None, result: Result | None = None,
         note: str = "") -> dict:
    result = result or Result(None)
    return {"key": e.key, "paper": e.paper, "title": e.title, "metric": e.metric,
            "status": status, "value": result.value, "reference": result.reference,
            "reference_note": result.reference_note, "note": result.note or note,
            "budget": result.budget, "seconds": seconds, "curves": result.curves,
            "figure": None}


def _run_one(e: Experiment, *, quick: bool, out: Path, options: dict) -> dict:
    from tqdm.auto import tqdm

    start = time.perf_counter()
    try:
        result = e.run(quick=quick, out=out, options=options)
    except Exception as error:  # recorded in the table and reported; the others still run
        trace = traceback.format_exc()
        tqdm.write(f"experiment {e.key} failed:\n{trace}", file=sys.stderr)
        reason = (str(error).splitlines() or [""])[0].replace("|", "\\|")
        row = _row(e, "failed", time.perf_counter() - start,
                   note=f"{type(error).__name__}: {reason}")
        row["traceback"] = trace
        return row
    return _row(e, "done", time.perf_counter() - start, result)


def _save(rows: list[dict], out: Path, *, quick: bool, started: str) -> None:
    document = {"mode": "quick" if quick else "full",
                "label": QUICK_LABEL if quick else FULL_LABEL,
                "started": started, "experiments": rows}
    write_atomically(out / "results.json", json.dumps(document, indent=1).encode() + b"\n")
    write_atomically(out / "results.md", report(rows, quick=quick, started=started).encode())


def write_atomically(path: Path, content: bytes | Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` whole or not at all: a reader, or a run killed mid-write, never
    leaves half a file (the new text goes to a temporary file that replaces it)."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with open(temporary, "wb") as f:
            if callable(content):
                content(f)
            else:
                f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _plot(experiments: list[Experiment], rows: list[dict], i: int, out: Path, *,
          quick: bool) -> bool:
    """Draw row ``i``'s curves: in its family's picture once no member is left to run,
    else in a picture of its own. Each row drawn records its picture's file name.

    Returns:
        Whether a picture was drawn.
    """
    figure = experiments[i].figure
    if figure is None:
        members, name, title = [i], experiments[i].key, rows[i]["title"]
    else:
        members = [j for j, e in enumerate(experiments) if e.figure == figure]
        if any(rows[j]["status"] == "pending" for j in members):
            return False
        name, title = figure.name, figure.title
    lines = {experiments[j].label or experiments[j].key: rows[j]["curves"] for j in members
             if rows[j]["curves"]}
    if not lines:
        return False
    title = with_budget(title, rows[i]["budget"], quick=quick)
    write_atomically(out / f"{name}.png", lambda f: draw(lines, title, f))
    for j in members:
        if rows[j]["curves"]:
            rows[j]["figure"] = f"{name}.png"
    return True


def draw(lines: dict[str, dict[str, list[float]]], title: str, file: IO[bytes]) -> None:
    """A PNG of per-epoch curves: one panel per curve name, one line per entry of
    ``lines``, whole-number epoch ticks, the legend below the panels. A loss spanning
    more than a decade is on a log scale; accuracies are on [0, 1]. Lines whose labels
    share the text before the first ``", "`` (``"linear, JAX keys"``, ``"linear,
    reference"``) share a colour and differ in dash pattern."""
    import textwrap

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    panels = list(dict.fromkeys(name for curves in lines.values() for name in curves))
    width = 5 * len(panels)
    fig, axes = plt.subplots(1, len(panels), figsize=(width, 4), squeeze=False,
                             layout="constrained")
    groups = list(dict.fromkeys(label.split(", ")[0] for label in lines))
    members: dict[int, int] = {}
    styles = {}
    for label in lines:
        group = groups.index(label.split(", ")[0])
        member = members[group] = members.get(group, -1) + 1
        # past ten groups the colours come round again, with another dash pattern
        styles[label] = {"color": plt.cm.tab10.colors[group % 10],
                         "linestyle": ("-", "--", ":", "-.")[(member + group // 10) % 4]}
    handles = {}
    for ax, panel in zip(axes[0], panels):
        for label, curves in lines.items():
            values = curves.get(panel)
            if values:
                handles[label], = ax.plot(range(1, len(values) + 1), values, label=label,
                                          marker="o" if len(values) <= 20 else None,
                                          markersize=3, **styles[label])
        values = [v for curves in lines.values() for v in curves.get(panel, [])]
        if "loss" in panel and values and 0 < 10 * min(values) < max(values):
            ax.set_yscale("log")
        elif "accuracy" in panel:
            ax.set_ylim(0, 1.02)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="epoch", ylabel=panel)
        ax.grid(alpha=0.3)
    if len(handles) > 1:
        longest = max(map(len, handles))  # about 6.5 pixels a character at this size
        columns = max(1, min(len(handles), int(width * 100 // (longest * 6.5 + 50))))
        fig.legend(list(handles.values()), list(handles), loc="outside lower center",
                   ncols=columns, fontsize="small", frameon=False)
    fig.suptitle(textwrap.fill(title, int(width * 100 / 7.5)), fontsize=10)  # ~7.5 px/char
    fig.savefig(file, format="png", dpi=100)
    plt.close(fig)
