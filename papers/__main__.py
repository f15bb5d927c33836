"""``python -m papers``: the papers' reproductions on the bundled data, in one table.

    python -m papers                 # everything (under 3 minutes on 2 CPU cores)
    python -m papers --quick         # a smoke test of every experiment (seconds)
    python -m papers --list          # the experiments' names
    python -m papers --only rda      # those whose name starts with "rda"
    python -m papers --mnist DIR     # also the MNIST experiments, on local IDX files
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from papers._runner import run_all
from papers.registry import EXPERIMENTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m papers",
                                     description="Reproduce the papers' experiments.")
    parser.add_argument("--list", action="store_true", help="list the experiments and exit")
    parser.add_argument("--only", nargs="+", metavar="PREFIX",
                        help="run only experiments whose name starts with one of these")
    parser.add_argument("--quick", action="store_true", help="tiny runs: checks everything works")
    parser.add_argument("--out", default="paralens-results", type=Path,
                        help="folder for results.md, results.json and figures "
                             "(default: paralens-results)")
    parser.add_argument("--mnist", metavar="DIR", help="folder holding the four MNIST IDX files")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.list:
        for e in EXPERIMENTS:
            print(f"{e.key:40s} {e.title}")
        return 0
    chosen = [e for e in EXPERIMENTS if not args.only or any(e.key.startswith(p) for p in args.only)]
    if not chosen:
        parser.error(f"no experiment starts with {args.only}; see --list")
    run_all(chosen, quick=args.quick, out=args.out, options={"mnist": args.mnist},
            progress=not args.no_progress)
    return 0


if __name__ == "__main__":
    sys.exit(main())
