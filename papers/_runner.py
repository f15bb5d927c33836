"""The experiment registry and the runner behind ``python -m papers``.

A run writes into a fresh folder of its own (:func:`new_run_folder`) and saves
``results.json`` and ``results.md`` again after every experiment, with the
experiments still to run marked pending, so a run that is interrupted or
crashes keeps everything it finished.
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
    """What an experiment reports: its number, the reference and what that reference is."""

    value: float | None
    reference: float | None = None
    reference_note: str = ""
    curves: dict[str, list[float]] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Experiment:
    """A named reproduction: ``run(quick, out, options) -> Result``."""

    key: str
    paper: str
    title: str
    metric: str
    run: Callable[..., Result]


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


def table(rows: list[dict]) -> str:
    """The results as one markdown table; unfinished experiments say what became of them."""
    out = ["| experiment | metric | reference | paralens | wall time |",
           "| --- | --- | --- | --- | --- |"]
    for r in rows:
        ref = "—" if r["reference"] is None else f"{r['reference']:.4g}"
        if r["reference_note"]:
            ref += f" ({r['reference_note']})"
        if r["status"] != "done":
            value = r["status"]
        else:
            value = "—" if r["value"] is None else f"{r['value']:.4g}"
        if r["note"]:
            value += f" ({r['note']})"
        seconds = "—" if r["seconds"] is None else f"{r['seconds']:.1f} s"
        out.append(f"| {r['key']}: {r['title']} | {r['metric']} | {ref} | {value} | {seconds} |")
    return "\n".join(out)


def report(rows: list[dict], *, quick: bool, started: str) -> str:
    """results.md: what kind of run this is, how far it got, and the table."""
    counts = {s: sum(r["status"] == s for r in rows)
              for s in ("done", "failed", "interrupted", "pending")}
    progress = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return (f"# paralens papers: {QUICK_LABEL if quick else FULL_LABEL}\n\n"
            f"Started {started}; {len(rows)} experiments: {progress}.\n\n{table(rows)}\n")


def run_all(experiments: list[Experiment], *, quick: bool, out: Path,
            options: dict, progress: bool = True) -> list[dict]:
    """Run the experiments in order in the run folder ``out``, saving after each one.

    ``results.json`` and ``results.md`` are replaced whole after every experiment and
    its figures are drawn as it finishes. An experiment that raises is recorded as
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
        with ctrl_c_remembered() as pressed:
            save()
            for i, e in enumerate(experiments):
                bar.set_postfix_str(e.key)
                running = i
                rows[i] = _run_one(e, quick=quick, out=out, options=options)
                save()
                _plot(rows, i, out)
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


def _row(e: Experiment, status: str, seconds: float | None, result: Result | None = None,
         note: str = "") -> dict:
    result = result or Result(None)
    return {"key": e.key, "paper": e.paper, "title": e.title, "metric": e.metric,
            "status": status, "value": result.value, "reference": result.reference,
            "reference_note": result.reference_note, "note": result.note or note,
            "seconds": seconds, "curves": result.curves}


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
    _replace(out / "results.json", json.dumps(document, indent=1).encode() + b"\n")
    _replace(out / "results.md", report(rows, quick=quick, started=started).encode())


def _replace(path: Path, content: bytes | Callable[[IO[bytes]], None]) -> None:
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


def _plot(rows: list[dict], i: int, out: Path) -> None:
    """Row ``i``'s loss curve, and its family's comparison once three of it have curves."""
    if not rows[i]["curves"]:
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def figure(name: str, title: str, curves: dict[str, list[float]]) -> None:
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.set_prop_cycle(color=plt.cm.tab20.colors)
        for label, values in curves.items():
            ax.plot(range(1, len(values) + 1), values, label=label)
        ax.set(xlabel="epoch", ylabel="training loss", title=title)
        ax.set_yscale("log")
        if len(curves) > 1:
            ax.legend(fontsize="small")
        fig.tight_layout()
        _replace(out / name, lambda f: fig.savefig(f, format="png", dpi=100))
        plt.close(fig)

    figure(f"{rows[i]['key']}.png", rows[i]["title"], rows[i]["curves"])
    group = rows[i]["key"].rpartition(".")[0]
    family = {r["key"].rpartition(".")[2]: v for r in rows
              if r["curves"] and r["key"].rpartition(".")[0] == group for v in r["curves"].values()}
    if len(family) > 2:  # one picture comparing a family (the optimisers)
        figure(f"{group}.png", f"{group}: training loss", family)
