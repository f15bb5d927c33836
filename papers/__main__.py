"""``python -m papers``: the papers' reproductions on the bundled data, in one table.

    python -m papers                 # everything (about 40 s on 2 quiet CPU cores)
    python -m papers --quick         # a smoke test of every experiment (seconds)
    python -m papers --list          # the experiments' names
    python -m papers --only rda      # those whose name starts with "rda"
    python -m papers --mnist DIR     # also the MNIST experiments, on local IDX files

Every run writes into a new folder of its own under ``--out`` (default
``paralens-results``): ``run-001``, ``run-002``, … for full runs and
``quick-001``, … for ``--quick`` runs, whose table says it is a smoke run. No run
overwrites or mixes with another. The folder is checked writable before any
experiment starts; ``results.json`` and ``results.md`` are saved after every
experiment (those still to run marked pending) and figures as they are drawn.

Exit status: 0 when every experiment ran, 1 when one raised (the others still run
and its error is in the table), 2 for bad arguments or an unwritable ``--out``,
130 on Ctrl-C (what finished is saved).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from papers._runner import ctrl_c_remembered, new_run_folder, run_all

PROG = "python -m papers"
# A quick run compiles far more than it computes, and XLA's older CPU fusion emitters
# compile its programs about 2.5 times faster. XLA aborts the process on a flag it does
# not know, so the flag is set only for the jaxlib versions it was checked with.
QUICK_XLA_FLAG, CHECKED_JAXLIB = "--xla_cpu_use_fusion_emitters=false", ("0.10.",)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Reproduce the papers' experiments.",
        epilog="Results are saved after every experiment. Exit status: 0 when all ran, "
               "1 when one failed (the others still run), 2 for bad arguments or an "
               "unwritable --out, 130 when interrupted.")
    parser.add_argument("--list", action="store_true", help="list the experiments and exit")
    parser.add_argument("--only", nargs="+", metavar="PREFIX",
                        help="run only experiments whose name starts with one of these")
    parser.add_argument("--quick", action="store_true",
                        help="tiny runs that check everything works, kept apart in quick-NNN")
    parser.add_argument("--out", default="paralens-results", type=Path,
                        help="folder that holds the runs (default: paralens-results); each run "
                             "writes results.md, results.json and figures into a new subfolder, "
                             "run-NNN, or quick-NNN for --quick")
    parser.add_argument("--mnist", metavar="DIR", help="folder holding the four MNIST IDX files")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        with ctrl_c_remembered() as pressed:
            return _run(parser, args, pressed)
    except KeyboardInterrupt:  # before the first experiment: importing JAX, making the folder
        print(f"{PROG}: interrupted before any experiment ran", file=sys.stderr)
        return 130


def _quick_compiler() -> None:
    """Ask XLA for its faster-compiling CPU emitters, if JAX is not started yet (XLA
    reads its flags once) and the installed jaxlib is one the flag was checked with."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        checked = version("jaxlib").startswith(CHECKED_JAXLIB)
    except PackageNotFoundError:
        return
    if checked and "jax" not in sys.modules:
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {QUICK_XLA_FLAG}".strip()


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace, pressed: list[int]) -> int:
    if args.quick:
        _quick_compiler()
    from papers import registry  # imports JAX: inside main so Ctrl-C here exits cleanly

    if pressed:  # a Ctrl-C that Python swallowed while JAX was being imported
        raise KeyboardInterrupt
    if args.list:
        for e in registry.EXPERIMENTS:
            print(f"{e.key:40s} {e.title}")
        return 0
    chosen = [e for e in registry.EXPERIMENTS
              if not args.only or any(e.key.startswith(p) for p in args.only)]
    if not chosen:
        parser.error(f"no experiment starts with {args.only}; see --list")
    try:
        folder = new_run_folder(args.out, quick=args.quick)
    except OSError as error:
        reason = ("a file of that name is in the way" if isinstance(error, FileExistsError)
                  else error.strerror or str(error))
        if error.filename and Path(error.filename) != args.out:
            reason += f" ({error.filename})"
        print(f"{PROG}: cannot write results to {args.out}: {reason}; no experiment was run",
              file=sys.stderr)
        return 2
    print(f"writing results to {folder}/")
    try:
        rows = run_all(chosen, quick=args.quick, out=folder, options={"mnist": args.mnist},
                       progress=not args.no_progress)
    except KeyboardInterrupt:
        saved = folder / "results.json"  # absent only if Ctrl-C came before its first save
        rows = json.loads(saved.read_text())["experiments"] if saved.exists() else []
        done = sum(r["status"] == "done" for r in rows)
        print(f"{PROG}: interrupted; {done} of {len(chosen)} experiments finished, "
              f"saved in {folder}/", file=sys.stderr)
        return 130
    print((folder / "results.md").read_text())
    # figures are the PNG plots, diagrams the SVG drawings of learners and circuits
    counts = {kind: len(list(folder.glob(f"*.{suffix}")))
              for kind, suffix in (("figure", "png"), ("diagram", "svg"))}
    made = [f"{n} {kind}{'s' * (n != 1)}" for kind, n in counts.items() if n or kind == "figure"]
    print(f"wrote results.md, results.json, {' and '.join(made)} to {folder}/")
    failed = [r for r in rows if r["status"] == "failed"]
    if failed:
        print(f"{PROG}: {len(failed)} of {len(rows)} experiments failed: "
              + "; ".join(f"{r['key']} ({r['note']})" for r in failed)
              + f"; tracebacks above and in {folder}/results.json", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    status = main()
    if status == 130:
        # A Ctrl-C can land while JAX's threads are mid-computation, and the interpreter's
        # shutdown then may crash (a segfault instead of 130); all is saved, so skip it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
