"""Command line: ``python -m lifecycle_utils report [--out DIR]`` executes every notebook and renders
the HTML reports (see :func:`lifecycle_utils.report.run_notebooks`)."""

from __future__ import annotations

import argparse
import sys

from lifecycle_utils.report import run_notebooks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifecycle_utils")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="execute the notebooks and render HTML reports")
    rep.add_argument("--notebooks", default="notebooks", help="folder of NN_name.ipynb notebooks")
    rep.add_argument("--out", default="reports", help="folder for executed notebooks and HTML")
    args = parser.parse_args(argv)
    try:
        written = run_notebooks(args.notebooks, args.out)
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files to {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
