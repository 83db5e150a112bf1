"""Command line.

``python -m lifecycle_utils report [--out DIR]`` executes every notebook on CDNOW and renders the reports.
``python -m lifecycle_utils report --data PATH --customer-col C --date-col D (--amount-col A |
--quantity-col Q --unit-price-col P) [--observation-end YYYY-MM-DD] [--out DIR]`` does the same on the
user's file: the schema is checked (and the cleaning ledger printed) before any notebook runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lifecycle_utils.report import run_notebooks


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lifecycle_utils")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="execute the notebooks and render HTML reports")
    rep.add_argument("--notebooks", default="notebooks", help="folder of NN_name.ipynb notebooks")
    rep.add_argument("--out", default="reports", help="folder for executed notebooks and HTML")
    rep.add_argument("--data", help="your CSV or Parquet file (default: the CDNOW master file)")
    rep.add_argument("--customer-col", default="customer_id")
    rep.add_argument("--date-col", default="date")
    rep.add_argument("--amount-col")
    rep.add_argument("--quantity-col")
    rep.add_argument("--unit-price-col")
    rep.add_argument("--observation-end", help="last day observed, YYYY-MM-DD")
    rep.add_argument("--strict", action="store_true",
                     help="stop on rows with no id, a bad date or amount (default: drop and count them)")
    args = parser.parse_args(argv)
    if args.data and not args.amount_col and not (args.quantity_col and args.unit_price_col):
        parser.error("with --data give --amount-col, or both --quantity-col and --unit-price-col")
    return args


def notebook_parameters(args: argparse.Namespace) -> dict:
    """The shared notebook parameters for the user's data (empty for CDNOW)."""
    if not args.data:
        return {}
    return {"DATA": str(Path(args.data).resolve()), "CUSTOMER_COL": args.customer_col, "DATE_COL": args.date_col,
            "AMOUNT_COL": args.amount_col, "QUANTITY_COL": args.quantity_col,
            "UNIT_PRICE_COL": args.unit_price_col, "OBSERVATION_END": args.observation_end,
            "ON_INVALID": "raise" if args.strict else "drop"}


def check_data(params: dict) -> str:
    """Load the user's file once with the notebooks' settings: a schema problem raises ``ValueError``
    here, before any notebook runs. Returns the cleaning ledger as text."""
    from lifecycle_utils import data

    _, ledger = data.load(params["DATA"], params["CUSTOMER_COL"], params["DATE_COL"], params["AMOUNT_COL"],
                          params["QUANTITY_COL"], params["UNIT_PRICE_COL"], params["OBSERVATION_END"],
                          on_invalid=params["ON_INVALID"])
    return ledger.to_string(index=False)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    params = notebook_parameters(args)
    if params:
        try:
            print("data check passed; cleaning ledger:\n" + check_data(params), flush=True)
        except ValueError as err:
            print(f"error in {args.data}: {err}", file=sys.stderr)
            return 2
    try:
        written = run_notebooks(args.notebooks, args.out, parameters=params)
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files to {args.out}/; open {args.out}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
