"""Command line: ``python -m lifecycle_utils report [options]`` runs the collection and renders the reports.

Inputs (any combination; with none of them the CDNOW master file is the transaction log):

* ``--data PATH`` a transaction log (CSV or Parquet) with its column mapping and reading options
  (``--date-format``, ``--dayfirst``, ``--encoding``, ``--sep``, ``--decimal``, ``--keep-null-ids``);
* ``--survival-table PATH`` a subscription duration table for notebook 02 (``--duration-unit`` days,
  weeks or months; ``--group-cols``, ``--cox-covariates``, ``--reference COL=LEVEL``);
* ``--campaign PATH`` a randomized campaign table for notebook 05.

Every input is loaded and cleaned, and the data-sufficiency verdict printed, before any notebook runs;
a problem stops the run with a message (exit code 2) and nothing is written. Notebooks for which no
analysis can run are skipped. The run writes into a fresh folder beside ``--out`` and replaces the
previous output only when every notebook succeeded, removing only files a previous run wrote (listed
in ``--out``'s manifest); a file of yours that a report would overwrite stops the run before it starts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from lifecycle_utils import data, report, sufficiency
from lifecycle_utils._messages import require_columns

__all__ = [
    "parse",
    "transaction_source",
    "notebook_parameters",
    "InputError",
    "load_inputs",
    "data_options",
    "notebooks_to_run",
    "main",
]


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _reference(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    bad = [p for p in pairs if "=" not in p]
    if bad:
        raise argparse.ArgumentTypeError(f"--reference takes COLUMN=LEVEL, not {bad[0]!r}")
    return dict(p.split("=", 1) for p in pairs)


def _costs(pairs: list[str] | None, flag: str) -> dict[str, float]:
    """``ARM=COST`` pairs (currency of the campaign table, per contact or per redeemed incentive) as a
    dict; none given is an empty dict, so no arm is charged a cost the user did not state."""
    costs = {}
    for pair in pairs or []:
        arm, _, cost = pair.rpartition("=")
        try:
            value = float(cost)
        except ValueError:
            value = float("nan")
        if not arm or not value >= 0:
            raise argparse.ArgumentTypeError(f"{flag} takes ARM=COST with a cost of 0 or more, not {pair!r}")
        costs[arm] = value
    return costs


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lifecycle_utils")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="execute the notebooks and render HTML reports")
    rep.add_argument("--notebooks", default="notebooks", help="folder of NN_name.ipynb notebooks")
    rep.add_argument("--out", default="reports", help="folder for executed notebooks and the site")
    rep.add_argument(
        "--site",
        default="full",
        choices=["full", "reports", "none"],
        help="what to build over the executed notebooks: the site with the API reference (full), without "
        "it (reports: faster, the reference does not depend on the data), or nothing (none)",
    )
    rep.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="notebooks run at once (default: one per core; 05 always waits for 04, whose record it reads)",
    )
    log = rep.add_argument_group("transaction log")
    log.add_argument("--data", help="your CSV or Parquet transaction file (default: the CDNOW master file)")
    log.add_argument("--customer-col", default="customer_id")
    log.add_argument("--date-col", default="date")
    log.add_argument("--amount-col")
    log.add_argument("--quantity-col")
    log.add_argument("--unit-price-col")
    log.add_argument(
        "--date-format", help="strftime format of the dates, e.g. '%%d/%%m/%%Y' (default: inferred)"
    )
    log.add_argument("--dayfirst", action="store_true", help="read ambiguous dates like 02/01/2024 day first")
    log.add_argument("--encoding", default="utf-8", help="text encoding of a CSV file, e.g. latin-1")
    log.add_argument("--sep", default=",", help="CSV field separator, e.g. ';'")
    log.add_argument("--decimal", default=".", choices=[".", ","], help="decimal mark of the numbers")
    log.add_argument(
        "--keep-null-ids",
        action="store_true",
        help="keep ids such as 'NULL' or 'N/A' as customers (default: treated as missing)",
    )
    log.add_argument("--observation-end", help="last day observed, YYYY-MM-DD")
    rep.add_argument(
        "--label", help="short name of the data set in titles and sentences (default: the file name)"
    )
    log.add_argument(
        "--strict",
        action="store_true",
        help="stop on rows with no id, a bad date or amount (default: drop and count them)",
    )
    dur = rep.add_argument_group("subscription duration table (notebook 02)")
    dur.add_argument("--survival-table", help="CSV or Parquet file, one row per customer")
    dur.add_argument("--duration-col", default="duration")
    dur.add_argument("--event-col", default="churned", help="1/0, yes/no or true/false: the customer left")
    dur.add_argument("--entry-col", help="time already subscribed when observation began (delayed entry)")
    dur.add_argument("--duration-unit", default="days", choices=["days", "weeks", "months"])
    dur.add_argument("--group-cols", type=_list, help="comma-separated columns to compare curves by")
    dur.add_argument("--cox-covariates", type=_list, help="comma-separated Cox regression covariates")
    dur.add_argument(
        "--reference",
        action="append",
        metavar="COL=LEVEL",
        help="reference level of a categorical covariate (repeatable)",
    )
    dur.add_argument("--value-col", help="column ranking the early-warning list (e.g. monthly charges)")
    dur.add_argument("--id-col", help="customer id column, shown in the early-warning list")
    camp = rep.add_argument_group("campaign table (notebook 05)")
    camp.add_argument("--campaign", help="CSV or Parquet file, one row per customer of a randomized test")
    camp.add_argument("--arm-col", default="arm")
    camp.add_argument("--control-arm", default="control")
    camp.add_argument("--converted-col", default="converted")
    camp.add_argument("--revenue-col")
    camp.add_argument("--segment-col")
    camp.add_argument(
        "--targeting-arm", help="the arm whose measured uplift scores the contact lists (default: the first)"
    )
    camp.add_argument(
        "--arm-cost",
        action="append",
        metavar="ARM=COST",
        help="cost of one contact in a test arm (repeatable); the contact lists pay their arm's cost, and "
        "an arm without one gets no targeting",
    )
    camp.add_argument(
        "--arm-incentive",
        action="append",
        metavar="ARM=COST",
        help="cost of one redeemed incentive in a test arm (repeatable; default none)",
    )
    camp.add_argument("--redemption-rate", type=float, help="share of contacts who redeem an incentive")
    args = parser.parse_args(argv)
    if args.data and not args.amount_col and not (args.quantity_col and args.unit_price_col):
        parser.error("with --data give --amount-col, or both --quantity-col and --unit-price-col")
    try:
        args.reference = _reference(args.reference)
        args.arm_cost = _costs(args.arm_cost, "--arm-cost")
        args.arm_incentive = _costs(args.arm_incentive, "--arm-incentive")
    except argparse.ArgumentTypeError as err:
        parser.error(str(err))
    return args


def transaction_source(args: argparse.Namespace) -> str | None:
    """The transaction log the notebooks read: the user's file, CDNOW when no input at all was given, or
    ``None`` when only a duration or campaign table was given."""
    if args.data:
        return str(Path(args.data).resolve())
    return None if (args.survival_table or args.campaign) else "cdnow"


def notebook_parameters(args: argparse.Namespace) -> dict:
    """The notebook parameters for the inputs given (empty for the default CDNOW run)."""
    params: dict = {"LABEL": args.label} if args.label else {}
    source = transaction_source(args)
    if source == "cdnow" and args.observation_end:
        params["OBSERVATION_END"] = args.observation_end
    if source is not None and source != "cdnow":
        params |= {
            "DATA": source,
            "OBSERVATION_END": args.observation_end,
            "DATA_OPTIONS": data_options(args),
        }
    elif source is None:
        params["DATA"] = None
    if args.survival_table:
        params |= {
            "SURVIVAL_TABLE": str(Path(args.survival_table).resolve()),
            "DURATION_COL": args.duration_col,
            "EVENT_COL": args.event_col,
            "ENTRY_COL": args.entry_col,
            "DURATION_UNIT": args.duration_unit,
            "GROUP_COLS": args.group_cols,
            "COX_COVARIATES": args.cox_covariates,
            "COX_REFERENCE": args.reference,
            "VALUE_COL": args.value_col,
            "ID_COL": args.id_col,
        }
    if args.campaign:
        params |= {
            "EXPERIMENT_PATH": str(Path(args.campaign).resolve()),
            "ARM_COL": args.arm_col,
            "CONTROL_ARM": args.control_arm,
            "CONVERTED_COL": args.converted_col,
            "REVENUE_COL": args.revenue_col,
            "SEGMENT_COL": args.segment_col,
            "TARGETING_ARM": args.targeting_arm,
            "ARM_CONTACT_COST": args.arm_cost,
            "ARM_INCENTIVE_COST": args.arm_incentive,
        }
        if args.redemption_rate is not None:
            params["REDEMPTION_RATE"] = args.redemption_rate
    return params


def _file_names(args: argparse.Namespace) -> str | None:
    """The inputs' file names (no folders: the reader of the site needs the data set, not the path on
    the machine that built it), or None for the default CDNOW run."""
    names = [Path(p).name for p in (args.data, args.survival_table, args.campaign) if p]
    return ", ".join(names) or None


class InputError(ValueError):
    """A problem with one input file, with the flag that names it."""


def load_inputs(args: argparse.Namespace) -> tuple[sufficiency.Verdict, str]:
    """Load every input with the notebooks' settings (a problem raises :class:`InputError` naming the
    input), and return the combined sufficiency verdict and what to print (ledgers and verdict)."""
    from lifecycle_utils import data, strategy, survival

    params, printed, verdicts = notebook_parameters(args), [], []
    source = transaction_source(args)
    try:
        if source is None:
            verdicts.append(sufficiency.assess_transactions(None))
        else:
            options = params.get("DATA_OPTIONS", {})
            tx, ledger = data.load(source, observation_end=args.observation_end, **options)
            printed.append("transaction log: cleaning ledger\n" + ledger.to_string(index=False))
            verdicts.append(sufficiency.assess_transactions(tx, args.observation_end))
    except LookupError as err:  # an encoding Python does not know
        raise InputError(f"--encoding {args.encoding}: {err}; e.g. utf-8, latin-1, cp1252") from None
    except ValueError as err:
        raise InputError(f"--data {args.data}: {err}" if args.data else f"CDNOW: {err}") from None
    if args.survival_table:
        try:
            table = survival.load_survival_table(
                args.survival_table,
                args.duration_col,
                event_col=args.event_col,
                entry_col=args.entry_col,
                id_col=args.id_col,
                duration_unit=args.duration_unit,
            )
            named = (args.group_cols or []) + (args.cox_covariates or []) + [args.value_col]
            require_columns(table.columns, named)
            if args.cox_covariates:
                survival.covariate_coding(table, args.cox_covariates, args.reference)  # checks --reference
            verdicts.append(sufficiency.assess_durations(table, args.group_cols, args.cox_covariates))
        except ValueError as err:
            raise InputError(f"--survival-table {args.survival_table}: {err}") from None
    if args.campaign:
        try:
            table = strategy.load_experiment(
                args.campaign,
                args.arm_col,
                converted_col=args.converted_col,
                revenue_col=args.revenue_col,
                segment_col=args.segment_col,
                control=args.control_arm,
            )
            verdicts.append(sufficiency.assess_campaign(table, args.control_arm))
        except ValueError as err:
            raise InputError(f"--campaign {args.campaign}: {err}") from None
    verdict = sufficiency.combine(*verdicts)
    printed.append("what the data can carry:\n" + verdict.message())
    return verdict, "\n".join(printed)


def data_options(args: argparse.Namespace) -> dict:
    """How to read the user's transaction file: the keyword arguments of ``data.load`` (the notebooks'
    ``DATA_OPTIONS`` parameter), from the column and reading flags."""
    return {
        "customer_col": args.customer_col,
        "date_col": args.date_col,
        "amount_col": args.amount_col,
        "quantity_col": args.quantity_col,
        "unit_price_col": args.unit_price_col,
        "on_invalid": "raise" if args.strict else "drop",
        "date_format": args.date_format,
        "dayfirst": True if args.dayfirst else None,
        "encoding": args.encoding,
        "sep": args.sep,
        "decimal": args.decimal,
        "keep_null_ids": args.keep_null_ids,
    }


def notebooks_to_run(verdict: sufficiency.Verdict, paths: list[Path]) -> tuple[list[Path], dict[str, str]]:
    """The notebooks with at least one analysis that can run, and for the others why they are skipped."""
    checks = verdict.checks
    run, skipped = [], {}
    for path in paths:
        mine = checks[checks["notebook"] == path.stem[:2]]
        if mine["runs"].any():
            run.append(path)
        else:
            skipped[path.stem] = "; ".join(verdict.note(a) for a in mine["analysis"]) or "no input for it"
    return run, skipped


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        return _report(args)
    except (InputError, report.OutputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (RuntimeError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - a user sees a message, never a traceback
        print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1


def _report(args: argparse.Namespace) -> int:
    notebooks_dir, out = Path(args.notebooks).resolve(), Path(args.out).resolve()
    paths = report.notebook_paths(notebooks_dir)
    if not paths:
        raise report.OutputError(f"no NN_name.ipynb notebooks in {notebooks_dir} (--notebooks)")
    report.check_output_folder(out, notebooks_dir, paths)
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"--jobs takes a number of notebooks of 1 or more, not {args.jobs}")
    with tempfile.TemporaryDirectory(prefix="lifecycle_cleaned_") as cleaned:
        os.environ[data.CLEANED_CACHE_ENV] = cleaned  # the file is cleaned once, here, for every notebook
        try:
            return _check_and_run(args, notebooks_dir, out, paths)
        finally:
            os.environ.pop(data.CLEANED_CACHE_ENV, None)


def _check_and_run(args: argparse.Namespace, notebooks_dir: Path, out: Path, paths: list[Path]) -> int:
    verdict, printed = load_inputs(args)
    print(printed, flush=True)
    if not verdict.any_analysis():
        print(
            "error: the data cannot carry any analysis beyond an overview; nothing was run (see above "
            "for what each analysis needs)",
            file=sys.stderr,
        )
        return 2
    chosen, skipped = notebooks_to_run(verdict, paths)
    for stem, why in skipped.items():
        print(f"skipped {stem}: {why}", flush=True)
    written = report.run_notebooks(
        notebooks_dir,
        out,
        parameters=notebook_parameters(args),
        notebooks=chosen,
        skipped=skipped,
        dataset=args.label or _file_names(args),
        site=args.site,
        jobs=args.jobs,
    )
    opened = f"; open {out}/index.html" if args.site != "none" else ""
    print(f"wrote {len(written)} files to {out}/{opened}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
