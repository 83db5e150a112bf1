"""The data zoo: small generated data sets of every shape a user may bring, each written to disk as a user
would hand it over, with the command line that runs the whole collection on it and what must happen.

Every case either completes (exit 0, no error output anywhere) or stops before any notebook runs with the
data-sufficiency message (exit 2). ``tests/test_zoo.py`` runs every case through the command line in
parallel; ``python tests/zoo.py [NAME ...]`` runs cases by hand and prints what each produced.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lifecycle_utils import simulate

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    write: Callable[[Path], list[str]]  # writes the case's files into a folder, returns the CLI arguments
    outcome: str = "complete"  # "complete" or "stop"
    ran: tuple[str, ...] = ()  # texts that must appear among the recorded figures' names: what must have run


def _log(n: int = 400, months: int = 24, acquisition: int = 12, seed: int = 0, **params) -> pd.DataFrame:
    start = pd.Timestamp("2022-01-01")
    end = (start.to_period("M") + months - 1).to_timestamp(how="end").normalize()
    tx, _ = simulate.simulate_transactions(
        n,
        start=str(start.date()),
        acquisition_months=acquisition,
        observation_end=str(end.date()),
        seed=seed,
        **params,
    )
    return tx


def _amount_args(
    path: Path, customer: str = "customer_id", date: str = "date", amount: str = "amount"
) -> list[str]:
    return ["--data", str(path), "--customer-col", customer, "--date-col", date, "--amount-col", amount]


# ------------------------------------------------------------------------------------ transaction logs
def amount_only(folder: Path) -> list[str]:
    tx = _log(seed=1).rename(columns={"customer_id": "Customer ID", "date": "InvoiceDate", "amount": "Total"})
    tx["InvoiceDate"] = tx["InvoiceDate"].dt.strftime("%Y-%m-%d")
    path = folder / "orders.csv"
    tx.to_csv(path, index=False)
    return _amount_args(path, "Customer ID", "InvoiceDate", "Total")


def quantity_price(folder: Path) -> list[str]:
    tx = _log(seed=2)
    rng = np.random.default_rng(2)
    qty = rng.integers(1, 6, len(tx))
    frame = pd.DataFrame(
        {
            "client": tx["customer_id"],
            "day": tx["date"].dt.strftime("%Y-%m-%d"),
            "qty": qty,
            "price": (tx["amount"].to_numpy() / qty).round(2),
        }
    )
    path = folder / "lines.csv"
    frame.to_csv(path, index=False)
    return [
        "--data",
        str(path),
        "--customer-col",
        "client",
        "--date-col",
        "day",
        "--quantity-col",
        "qty",
        "--unit-price-col",
        "price",
    ]


def returns(folder: Path) -> list[str]:
    tx = _log(seed=3)
    back = tx.sample(frac=0.05, random_state=3).assign(amount=lambda f: -f["amount"])  # same-day full returns
    late = tx.sample(frac=0.03, random_state=4)
    late = late.assign(date=late["date"] + pd.Timedelta(days=3), amount=-late["amount"] / 2)  # later partial
    frame = pd.concat([tx, back, late], ignore_index=True)
    path = folder / "with_returns.csv"
    frame.to_csv(path, index=False)
    return _amount_args(path)


def no_repeaters(folder: Path) -> list[str]:
    tx = _log(seed=4).drop_duplicates("customer_id")
    path = folder / "one_each.csv"
    tx.to_csv(path, index=False)
    return _amount_args(path)


def one_customer(folder: Path) -> list[str]:
    tx = _log(seed=5)
    tx = tx[tx["customer_id"] == tx["customer_id"].value_counts().index[0]]
    path = folder / "one_customer.csv"
    tx.to_csv(path, index=False)
    return _amount_args(path)


def one_day(folder: Path) -> list[str]:
    tx = _log(seed=6).assign(date=pd.Timestamp("2023-03-15"))
    path = folder / "one_day.csv"
    tx.to_csv(path, index=False)
    return _amount_args(path)


def three_months(folder: Path) -> list[str]:
    path = folder / "short.csv"
    _log(months=3, acquisition=2, seed=7).to_csv(path, index=False)
    return _amount_args(path)


def five_years(folder: Path) -> list[str]:
    path = folder / "long.csv"
    _log(n=300, months=60, acquisition=36, seed=8).to_csv(path, index=False)
    return _amount_args(path)


def one_cohort(folder: Path) -> list[str]:
    path = folder / "one_cohort.csv"
    _log(months=18, acquisition=1, seed=9).to_csv(path, index=False)
    return _amount_args(path)


def monthly_cohorts(folder: Path) -> list[str]:
    path = folder / "cohorts.parquet"
    _log(n=500, months=24, acquisition=24, seed=10).to_parquet(path, index=False)
    return _amount_args(path)


def wholesale(folder: Path) -> list[str]:
    """Few customers, hundreds of occasions each (a wholesaler's log)."""
    tx = _log(n=60, months=24, acquisition=3, seed=11, r=8.0, alpha=2.0, a=0.2, b=40.0)
    path = folder / "wholesale.csv"
    tx.to_csv(path, index=False)
    return _amount_args(path)


def mixed_iso(folder: Path) -> list[str]:
    tx = _log(seed=12)
    forms = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"]
    stamp = tx["date"] + pd.to_timedelta(np.arange(len(tx)) % 86_000, unit="s")
    tx["date"] = [s.strftime(forms[i % len(forms)]) for i, s in enumerate(stamp)]
    path = folder / "mixed_iso.csv"
    tx.to_csv(path, index=False)
    return _amount_args(path)


def day_first(folder: Path) -> list[str]:
    tx = _log(seed=13)
    tx["date"] = tx["date"].dt.strftime("%d/%m/%Y")
    path = folder / "day_first.csv"
    tx.to_csv(path, index=False)
    return _amount_args(path) + ["--date-format", "%d/%m/%Y"]


def decimal_comma(folder: Path) -> list[str]:
    tx = _log(seed=14)
    tx["amount"] = (tx["amount"] * 100).map(lambda v: f"{v:,.2f}".replace(",", " ").replace(".", ","))
    path = folder / "semicolons.csv"
    tx.to_csv(path, index=False, sep=";", encoding="latin-1")
    return _amount_args(path) + ["--sep", ";", "--decimal", ",", "--encoding", "latin-1"]


# -------------------------------------------------------------------------------- subscription tables
def _subscriptions(n: int = 800, seed: int = 0) -> pd.DataFrame:
    table, _ = simulate.simulate_subscriptions(n, seed=seed)
    rng = np.random.default_rng(seed)
    contract = np.where(
        table["annual plan"] == 1, rng.choice(["One year", "Two year"], len(table)), "Month-to-month"
    )
    return pd.DataFrame(
        {
            "customerID": table["customer_id"],
            "tenure": np.ceil(table["duration"] / 30.4375).astype(int),
            "Churn": np.where(table["churned"] == 1, "Yes", "No"),
            "Contract": contract,
            "MonthlyCharges": table["monthly fee"],
            "entry_months": np.floor(table["entry"] / 30.4375).astype(int),
        }
    )


def _survival_args(path: Path) -> list[str]:
    return [
        "--survival-table",
        str(path),
        "--duration-col",
        "tenure",
        "--event-col",
        "Churn",
        "--duration-unit",
        "months",
        "--group-cols",
        "Contract",
        "--cox-covariates",
        "Contract,MonthlyCharges",
        "--reference",
        "Contract=Month-to-month",
        "--value-col",
        "MonthlyCharges",
        "--id-col",
        "customerID",
    ]


def subscriptions_months(folder: Path) -> list[str]:
    table = _subscriptions(seed=20).drop(columns="entry_months")
    table["tenure"] = table["tenure"].clip(lower=0)
    path = folder / "telco.csv"
    table.to_csv(path, index=False)
    return _survival_args(path)


def subscriptions_delayed_entry(folder: Path) -> list[str]:
    table = _subscriptions(seed=21)
    table = table[table["entry_months"] < table["tenure"]]
    path = folder / "telco_entry.csv"
    table.to_csv(path, index=False)
    return _survival_args(path) + ["--entry-col", "entry_months"]


# ---------------------------------------------------------------------------------------- campaigns
def _campaign(
    arms: dict[str, float], n: int = 1500, segments: dict[str, float] | None = None, seed: int = 0
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for arm, rate in arms.items():
        seg = rng.choice(list(segments), n, p=list(segments.values())) if segments else None
        converted = rng.random(n) < rate
        spend = np.where(converted, rng.gamma(2.0, 40.0, n).round(2), 0.0)
        frame = pd.DataFrame({"segment": arm, "converted": converted.astype(int), "spend": spend})
        frame["segment"] = seg if segments else "all"
        frame.insert(0, "arm", arm)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def _campaign_args(path: Path, control: str, segment: bool) -> list[str]:
    args = [
        "--campaign",
        str(path),
        "--arm-col",
        "arm",
        "--control-arm",
        control,
        "--converted-col",
        "converted",
        "--revenue-col",
        "spend",
    ]
    return args + (["--segment-col", "segment"] if segment else [])


def campaign_two_arms(folder: Path) -> list[str]:
    path = folder / "ab.csv"
    _campaign({"control": 0.05, "offer": 0.07}, seed=30).drop(columns="segment").to_csv(path, index=False)
    return _campaign_args(path, "control", segment=False)


def campaign_three_arms_no_segment(folder: Path) -> list[str]:
    """Like the public e-mail test: three arms, about 1% conversion, no segment given."""
    path = folder / "email.csv"
    table = _campaign({"No E-Mail": 0.006, "Mens E-Mail": 0.012, "Womens E-Mail": 0.009}, n=3000, seed=31)
    table.assign(converted=np.where(table["converted"] == 1, "yes", "no")).to_csv(path, index=False)
    return _campaign_args(path, "No E-Mail", segment=False)


def campaign_four_arms_segments(folder: Path) -> list[str]:
    path = folder / "four_arms.csv"
    table = _campaign(
        {"none": 0.04, "notice": 0.05, "coupon": 0.07, "call": 0.09},
        n=1200,
        segments={"silent": 0.5, "churned": 0.5},
        seed=32,
    )
    table.to_csv(path, index=False)
    costs = ["--arm-cost", "notice=0.10", "--arm-cost", "coupon=0.10", "--arm-cost", "call=2"]
    return _campaign_args(path, "none", segment=True) + costs + ["--arm-incentive", "coupon=5"]


def campaign_empty_segment_cell(folder: Path) -> list[str]:
    """A small segment in which the control arm converted nobody."""
    path = folder / "sparse.csv"
    table = _campaign({"control": 0.05, "offer": 0.08}, n=800, segments={"big": 0.95, "tiny": 0.05}, seed=33)
    table.loc[(table["segment"] == "tiny") & (table["arm"] == "control"), ["converted", "spend"]] = 0
    table.to_csv(path, index=False)
    return _campaign_args(path, "control", segment=True)


def log_and_campaign(folder: Path) -> list[str]:
    """A transaction log together with a campaign table: the whole collection, 05 on the real test."""
    return amount_only(folder) + campaign_four_arms_segments(folder)


FULL = ("snapshot", "HR ", "Champions", "total CLV", "best targeting policy")  # every notebook's main result
TABLE = ("HR ", "churned (%)")  # survival curves and the Cox model on a duration table
TEST = ("response lift",)  # the campaign analysis

CASES = [
    Case(
        "amount_only", "transactions with an amount column alone, other column names", amount_only, ran=FULL
    ),
    Case("quantity_price", "quantity x unit price, no amount column", quantity_price, ran=FULL),
    Case("returns", "same-day and later returns (negative amounts)", returns, ran=FULL),
    Case(
        "no_repeaters", "every customer bought once", no_repeaters, ran=("Champions", "not run: stage rules")
    ),
    Case("one_customer", "a single customer", one_customer, "stop"),
    Case("one_day", "every purchase on one day", one_day, "stop"),
    Case("three_months", "3 months of history", three_months, ran=FULL),
    Case("five_years", "5 years of history, 3 years of acquisition", five_years, ran=FULL),
    Case("one_cohort", "one acquisition month", one_cohort, ran=FULL),
    Case("monthly_cohorts", "24 monthly cohorts, Parquet", monthly_cohorts, ran=FULL),
    Case(
        "wholesale", "60 customers with hundreds of occasions each", wholesale, ran=("snapshot", "Champions")
    ),
    Case("mixed_iso", "mixed ISO dates and timestamps (T, space, fractional seconds)", mixed_iso, ran=FULL),
    Case("day_first", "day-first dates with --date-format", day_first, ran=FULL),
    Case(
        "decimal_comma",
        "';'-separated latin-1 file with decimal commas and thousands spaces",
        decimal_comma,
        ran=FULL,
    ),
    Case(
        "subscriptions_months",
        "subscription table in months, categorical group and covariate",
        subscriptions_months,
        ran=TABLE,
    ),
    Case(
        "subscriptions_delayed_entry",
        "subscription table in months with delayed entry",
        subscriptions_delayed_entry,
        ran=TABLE,
    ),
    Case("campaign_two_arms", "two-arm campaign without segments", campaign_two_arms, ran=TEST),
    Case(
        "campaign_three_arms_no_segment",
        "three-arm e-mail campaign, yes/no conversions, no segment",
        campaign_three_arms_no_segment,
        ran=TEST,
    ),
    Case("campaign_four_arms_segments", "four arms with segments", campaign_four_arms_segments, ran=TEST),
    Case(
        "campaign_empty_segment_cell",
        "a segment cell with no conversion",
        campaign_empty_segment_cell,
        ran=TEST,
    ),
    Case("log_and_campaign", "a transaction log with a campaign table", log_and_campaign, ran=FULL + TEST),
]


# ---------------------------------------------------------------------------------------------- running
@dataclass(frozen=True)
class Run:
    case: Case
    code: int
    stdout: str
    stderr: str
    out: Path
    seconds: float


# the cases whose stakeholder pages the narrative test reads get the site (without the API reference, which
# does not depend on the data and is built by the browser test's run); the others stop at the notebooks
SITE_CASES = frozenset({"amount_only", "five_years"})


def run_case(case: Case, folder: Path, notebooks: Path = ROOT / "notebooks") -> Run:
    """Write the case's files into ``folder`` and run the command line on them (a subprocess, as a user
    would); the reports land in ``folder / "out"``."""
    folder.mkdir(parents=True, exist_ok=True)
    args = case.write(folder)
    out = folder / "out"
    env = os.environ | {"TQDM_DISABLE": "1", "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lifecycle_utils",
            "report",
            *args,
            "--notebooks",
            str(notebooks),
            "--out",
            str(out),
            "--site",
            "reports" if case.name in SITE_CASES else "none",
            "--jobs",  # the zoo runs two cases at a time already: one notebook each keeps two kernels busy
            "1",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        check=False,
    )
    return Run(case, done.returncode, done.stdout, done.stderr, out, time.perf_counter() - start)


def run_cases(cases: list[Case], folder: Path, workers: int = 2) -> dict[str, Run]:
    """Run ``cases`` with ``workers`` at a time (each run starts its own notebook kernels)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = pool.map(lambda c: run_case(c, folder / c.name), cases)
        return {run.case.name: run for run in runs}


def outcome(run: Run) -> str:
    """One line on what a run produced: the exit code, the notebooks run and skipped, and how many
    sections showed a not-enough-data note instead of a result."""
    import json

    if run.code != 0:
        last = (run.stderr.strip().splitlines() or [""])[-1]
        return f"exit {run.code}: {last[:160]}"
    executed = sorted(run.out.glob("[0-9][0-9]_*.ipynb"))
    notes = 0
    for path in executed:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        notes += sum(
            "Not enough data for" in "".join(o.get("data", {}).get("text/markdown", ""))
            for c in cells
            for o in c.get("outputs", [])
        )
    skipped = [
        line.split(":")[0].removeprefix("skipped ")
        for line in run.stdout.splitlines()
        if line.startswith("skipped ")
    ]
    return (
        f"exit 0 in {run.seconds:.0f} s: ran {', '.join(p.stem[:2] for p in executed)}"
        + (f"; skipped {', '.join(s[:2] for s in skipped)}" if skipped else "")
        + f"; {notes} section note(s)"
    )


if __name__ == "__main__":
    import tempfile

    wanted = set(sys.argv[1:])
    chosen = [c for c in CASES if not wanted or c.name in wanted]
    base = Path(tempfile.mkdtemp(prefix="zoo-"))
    for name, run in run_cases(chosen, base).items():
        print(f"| {name} | {run.case.what} | {outcome(run)} |")
        if run.stderr:
            print("stderr:", run.stderr[-3000:])
