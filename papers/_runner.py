"""The experiment registry and the runner behind ``python -m papers``."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


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


def table(rows: list[dict]) -> str:
    """The results as one markdown table."""
    out = ["| experiment | metric | reference | paralens | wall time |",
           "| --- | --- | --- | --- | --- |"]
    for r in rows:
        ref = "—" if r["reference"] is None else f"{r['reference']:.4g}"
        if r["reference_note"]:
            ref += f" ({r['reference_note']})"
        value = "—" if r["value"] is None else f"{r['value']:.4g}"
        if r["note"]:
            value += f" ({r['note']})"
        out.append(f"| {r['key']}: {r['title']} | {r['metric']} | {ref} | {value} | "
                   f"{r['seconds']:.1f} s |")
    return "\n".join(out)


def _plot(rows: list[dict], out: Path) -> list[str]:
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
        fig.savefig(out / name, dpi=100)
        plt.close(fig)
        written.append(name)

    written: list[str] = []
    groups: dict[str, dict[str, list[float]]] = {}
    for r in rows:
        if r["curves"]:
            figure(f"{r['key']}.png", r["title"], r["curves"])
            group, _, rest = r["key"].rpartition(".")
            groups.setdefault(group, {}).update({rest: v for v in r["curves"].values()})
    for group, curves in groups.items():
        if len(curves) > 2:  # one picture comparing a family (the optimisers)
            figure(f"{group}.png", f"{group}: training loss", curves)
    return written


def run_all(experiments: list[Experiment], *, quick: bool, out: Path,
            options: dict, progress: bool = True) -> list[dict]:
    """Run the experiments, print the table, write results.md/json and the figures."""
    from tqdm.auto import tqdm

    out.mkdir(parents=True, exist_ok=True)
    rows = []
    bar = tqdm(experiments, desc="experiments", unit="exp", disable=not progress)
    for e in bar:
        bar.set_postfix_str(e.key)
        start = time.perf_counter()
        result = e.run(quick=quick, out=out, options=options)
        rows.append({"key": e.key, "paper": e.paper, "title": e.title, "metric": e.metric,
                     "value": result.value, "reference": result.reference,
                     "reference_note": result.reference_note, "note": result.note,
                     "seconds": time.perf_counter() - start, "curves": result.curves})
    text = table(rows)
    (out / "results.md").write_text(text + "\n")
    (out / "results.json").write_text(json.dumps(rows, indent=1) + "\n")
    figures = _plot(rows, out)
    print(text)
    print(f"\nwrote {out / 'results.md'}, {out / 'results.json'} and {len(figures)} figures "
          f"to {out}/")
    return rows
