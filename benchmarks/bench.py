"""Benchmarks: every heavy step of the collection at growing log sizes, against baselines.

Usage: python benchmarks/bench.py [N_TRANSACTIONS ...]      (default 100000 1000000 10000000)
       make bench                                           (1e5 and 1e6, from the project's .venv)

Data: for each size, a log of about N transactions from our BG/NBD + Gamma-Gamma simulator
(:func:`lifecycle_utils.simulate.simulate_transactions`) with known parameters (PARAMETERS below: about
10 transactions per customer over two years, so 1e7 transactions are 1M customers), written to Parquet
in date order with same-day rows shuffled, as a real log arrives (cached in benchmarks/results/).

Cases (step x method) each run in a fresh process, so the peak memory (RSS) is the case's own; time and
memory include reading the input file; a case under 10 s runs three times and reports its median time
(timings on this 2-core machine vary by up to 2x between runs). Steps: transactions to summary (ours on
pandas; ours on the file through DuckDB; lifetimes' summary_data_from_transaction_data; a plain pandas
groupby that computes only first/last date, distinct days and spend, a floor; DuckDB on the log as CSV
with a 128 MB memory limit, a file of 300 MB at 1e7 transactions; Spark in local mode on two cores),
the compressed (frequency, recency, T) rows the
fits read and the customers per stage at 24 monthly snapshots (each on pandas, on DuckDB and on Spark,
through lifecycle_utils.engines' one SQL definition), stage assignment over 24
monthly snapshots, RFM scores (ours; a plain groupby + rank + qcut), BG/NBD and Pareto/NBD fits on the
weekly summary in whole weeks (summary.whole_periods; ours on the unique (frequency, recency, T) rows
with weights and on one row per customer; lifetimes' Pareto/NBD search on both, one row per customer
skipped above 1e6 where it takes minutes), a BG/NBD fit on the simulator's exact continuous-time summary
(parameter recovery without day rounding), and 12-month CLV per customer (BG/NBD fitted on whole weeks,
Gamma-Gamma, prediction for every customer on their own day-resolution summary).

Spark cases start the session (local[2], 2 GB of driver memory) before the clock, as a cluster's session is
already running; their peak memory is the Python side's only (the JVM is another process).

Results: benchmarks/results/bench.csv, bench.md (the table, the issue's targets at the largest size,
growth exponents between sizes, and the parameter recovery of the fits against the simulator's truth)
and scaling.png (log-log). The markdown is printed at the end.
"""

from __future__ import annotations

import csv
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
START, END = "2022-01-01", "2023-12-31"
PARAMETERS = {"r": 0.5, "alpha": 2.0, "a": 0.5, "b": 5.0}  # BG/NBD truth, rates per week
TX_PER_CUSTOMER = 10  # about what PARAMETERS give over two years
LIFETIMES_FULL_LIMIT = {"BG/NBD": 10_000_000, "Pareto/NBD": 1_000_000}  # lifetimes, one row per customer

CASES = [
    ("summary", "ours (pandas)"),
    ("summary", "ours (DuckDB on the file)"),
    ("summary", "lifetimes"),
    ("summary", "plain groupby (floor)"),
    ("summary", "ours (DuckDB on the CSV file, 128 MB memory limit)"),
    ("summary", "ours (Spark local[2] on the file)"),
    ("compressed fit rows", "ours (pandas)"),
    ("compressed fit rows", "ours (DuckDB on the file)"),
    ("compressed fit rows", "ours (Spark local[2] on the file)"),
    ("stages, 24 monthly snapshots", "ours"),
    ("stage sizes, 24 monthly snapshots", "ours (pandas)"),
    ("stage sizes, 24 monthly snapshots", "ours (DuckDB on the file)"),
    ("stage sizes, 24 monthly snapshots", "ours (Spark local[2] on the file)"),
    ("RFM scores", "ours"),
    ("RFM scores", "plain groupby + qcut"),
    ("BG/NBD fit", "ours (compressed)"),
    ("BG/NBD fit", "ours (one row per customer)"),
    ("BG/NBD fit", "ours (simulator's exact times)"),
    ("Pareto/NBD fit", "ours (compressed)"),
    ("Pareto/NBD fit", "ours (one row per customer)"),
    ("Pareto/NBD fit", "lifetimes (compressed)"),
    ("Pareto/NBD fit", "lifetimes (one row per customer)"),
    ("CLV 12 months", "ours"),
]
# BG/NBD "ours" is lifetimes' BetaGeoFitter behind clv.fit_model (retries, fixed starts), so lifetimes' own
# BG/NBD timings are the "ours" rows; Pareto/NBD "ours" is lifecycle_utils.pareto_nbd's search.


def log_file(n: int) -> Path:
    return RESULTS / f"log_{n}.parquet"


def csv_file(n: int) -> Path:
    """The log as CSV (ISO dates), for DuckDB on a file larger than its memory limit."""
    return RESULTS / f"log_{n}.csv"


def summary_file(n: int) -> Path:
    return RESULTS / f"summary_{n}.parquet"


def exact_file(n: int) -> Path:
    """The simulator's exact continuous-time (frequency, recency, T) in weeks, for parameter recovery."""
    return RESULTS / f"exact_{n}.parquet"


def make_data(n: int) -> None:
    """The log and its weekly summary for size ``n`` (cached)."""
    import numpy as np

    from lifecycle_utils import simulate, summary

    if not (log_file(n).exists() and exact_file(n).exists()):
        tx, truth = simulate.simulate_transactions(
            max(1000, n // TX_PER_CUSTOMER),
            start=START,
            acquisition_months=12,
            observation_end=END,
            seed=0,
            **PARAMETERS,
        )
        truth[["frequency", "recency", "T"]].to_parquet(exact_file(n))
        shuffle = np.random.default_rng(1).permutation(len(tx))
        tx = tx.iloc[shuffle].sort_values("date", kind="stable").reset_index(drop=True)
        tx.to_parquet(log_file(n))
    if not csv_file(n).exists():
        import pyarrow.csv
        import pyarrow.parquet

        table = pyarrow.parquet.read_table(log_file(n))
        table = table.set_column(1, "date", table["date"].cast("date32"))
        pyarrow.csv.write_csv(table, csv_file(n))
    if not summary_file(n).exists():
        import pandas as pd

        summary.customer_summary(pd.read_parquet(log_file(n)), END, "W").to_parquet(summary_file(n))


def run_case(n: int, step: str, method: str) -> dict:
    """Time one case; returns the row (and, for fits, the parameters and standard errors)."""
    import numpy as np
    import pandas as pd

    # import only the modules a case needs (before the clock starts), so its peak memory holds no
    # library it does not use (lifetimes, statsmodels, scipy)
    from lifecycle_utils import summary

    spark = None
    if "Spark" in method:
        from lifecycle_utils import engines

        spark = engines.spark_session(
            app_name="bench", **{"spark.driver.memory": "2g", "spark.sql.shuffle.partitions": "8"}
        )
        spark.sparkContext.setLogLevel("ERROR")
    if "DuckDB" in method:
        from lifecycle_utils import engines
    if step.startswith(("stages", "stage sizes")):
        from lifecycle_utils import stages
    elif step == "compressed fit rows":
        from lifecycle_utils.clv.fitting import compress
    elif step == "RFM scores":
        from lifecycle_utils import rfm
    elif step != "summary":
        from lifecycle_utils import clv

        if method.startswith("lifetimes"):
            from lifetimes import ParetoNBDFitter
    elif method == "lifetimes":
        from lifecycle_utils._lifetimes import lifetimes_utils

    extra: dict = {}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    rules = (90, 180, 4)  # silent and churn days, mature occasions: the stage cases' rules
    snapshots = pd.date_range("2022-01-31", END, freq="ME")  # 24 month ends: monthly_snapshots of the log
    if step == "summary" and ("DuckDB" in method or "Spark" in method):
        if method == "ours (DuckDB on the file)":
            out = summary.customer_summary(str(log_file(n)), END, "W")
        elif "128 MB" in method:  # the CSV is 300 MB at 1e7 transactions: larger than the limit
            path = str(csv_file(n))
            out = summary.customer_summary_from_file(path, observation_end=END, memory_limit="128MB")
        else:
            out = engines.customer_summary(log_file(n), spark, observation_end=END)
        rows = len(out)
    elif step == "compressed fit rows":
        if method == "ours (pandas)":
            out = compress(summary.customer_summary(pd.read_parquet(log_file(n)), END, "W"))
        else:
            out = engines.compressed_rows(log_file(n), spark, observation_end=END)
        rows = len(out)
    elif step.startswith("stage sizes"):
        stage_rules = stages.StageRules(*rules)
        if method == "ours (pandas)":
            tx = pd.read_parquet(log_file(n), columns=["customer_id", "date"])
            out = stages.stage_sizes(stages.assign_stages(tx, stage_rules, snapshots))
        else:
            out = engines.stage_sizes(log_file(n), stage_rules, snapshots, spark)
        rows = int(out.iloc[-1].sum())  # customers at the last snapshot
    elif step == "summary":
        tx = pd.read_parquet(log_file(n))
        if method == "ours (pandas)":
            out = summary.customer_summary(tx, END, "W")
        elif method == "lifetimes":
            out = lifetimes_utils.summary_data_from_transaction_data(
                tx,
                "customer_id",
                "date",
                "amount",
                freq="D",
                freq_multiplier=7,
                observation_period_end=END,
            )
        else:
            out = tx.groupby("customer_id").agg(
                first=("date", "min"),
                last=("date", "max"),
                days=("date", "nunique"),
                spend=("amount", "sum"),
            )
        rows = len(out)
    elif step.startswith("stages"):
        tx = pd.read_parquet(log_file(n), columns=["customer_id", "date"])  # all that stages read
        out = stages.assign_stages(tx, stages.StageRules(*rules), stages.monthly_snapshots(tx, END))
        rows = len(out)
    elif step == "RFM scores":
        tx = pd.read_parquet(log_file(n))
        if method == "ours":
            scored, _ = rfm.score_rfm(rfm.rfm_values(tx, END))
        else:
            per = tx.groupby("customer_id").agg(
                last=("date", "max"), days=("date", "nunique"), spend=("amount", "sum")
            )
            recency = (pd.Timestamp(END) - per["last"]).dt.days
            scored = pd.DataFrame(
                {
                    "R": pd.qcut(recency.rank(method="first"), 5, labels=[5, 4, 3, 2, 1]),
                    "F": pd.qcut(per["days"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]),
                    "M": pd.qcut(per["spend"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]),
                }
            )
        rows = len(scored)
    elif step.endswith("fit"):
        name = step.removesuffix(" fit")
        if "exact" in method:
            frame = pd.read_parquet(exact_file(n))
        else:  # in whole weeks since the first purchase, so that customers share (frequency, recency, T)
            frame = summary.whole_periods(
                pd.read_parquet(summary_file(n), columns=["frequency", "recency", "T"])
            )
        compressed = "one row" not in method
        data = clv.compress(frame) if compressed else frame.assign(weight=1)
        if method.startswith("lifetimes"):
            model = ParetoNBDFitter().fit(
                data["frequency"],
                data["recency"],
                data["T"],
                weights=data["weight"],
                initial_params=np.ones(4),
            )
            params, se = model.params_, pd.Series(float("nan"), index=model.params_.index)
        else:
            fit = clv.fit_model(name, data)
            params, se = fit.params, clv.standard_errors(fit)
        rows = len(data)
        extra = {"params": params.to_dict(), "se": se.to_dict()}
    else:
        frame = pd.read_parquet(summary_file(n))
        fit = clv.fit_model(
            "BG/NBD", summary.whole_periods(frame)
        )  # fit on whole weeks, predict per customer
        spend = clv.fit_gamma_gamma(frame)
        values = clv.clv(fit, spend, frame=frame, months=12)
        rows = int(np.isfinite(values).sum())
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if spark is not None:
        spark.stop()
    return {
        "transactions": n,
        "step": step,
        "method": method,
        "rows out": rows,
        "seconds": round(seconds, 3),
        "peak RSS (MiB)": round(peak / 1024),
        "added RSS (MiB)": round((peak - before) / 1024),
        **extra,
    }


def skipped(n: int, step: str, method: str) -> bool:
    name = step.removesuffix(" fit")
    return method.startswith("lifetimes (one row") and n > LIFETIMES_FULL_LIMIT.get(name, 0)


def growth(rows: list[dict]) -> list[str]:
    """Growth exponents d log(seconds) / d log(transactions) between consecutive sizes (1 = linear)."""
    lines = []
    for step, method in CASES:
        pts = [(r["transactions"], r["seconds"]) for r in rows if (r["step"], r["method"]) == (step, method)]
        exps = [
            f"{math.log(b[1] / a[1]) / math.log(b[0] / a[0]):.2f}"
            for a, b in zip(pts, pts[1:])
            if a[1] > 0.05
        ]
        if exps:
            lines.append(f"| {step} | {method} | {' / '.join(exps)} |")
    return ["| step | method | growth exponent between sizes (1 = linear) |", "|---|---|---|"] + lines


def recovery(fits: list[dict]) -> list[str]:
    """BG/NBD estimates against the simulator's truth, with 95% intervals from the standard errors, on the
    log in whole weeks and on the simulator's exact times; then the largest relative parameter
    difference between fits of the same data (compressed vs one row per customer; ours vs lifetimes)."""
    lines = [
        "| transactions | data | parameter | truth | estimate | std. error | truth inside 95% interval |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in fits:
        if f["step"] != "BG/NBD fit" or f["method"] not in {
            "ours (compressed)",
            "ours (simulator's exact times)",
        }:
            continue
        data = "exact times" if "exact" in f["method"] else "log, whole weeks"
        for k, truth in PARAMETERS.items():
            est, se = f["params"][k], f["se"].get(k, float("nan"))
            inside = "yes" if abs(est - truth) <= 1.96 * se else "no"
            lines.append(
                f"| {f['transactions']:,} | {data} | {k} | {truth} | {est:.4f} | {se:.4f} | {inside} |"
            )
    lines += [
        "",
        "| transactions | fit | compared | largest relative parameter difference |",
        "|---|---|---|---|",
    ]
    for f in fits:
        for other in (
            "ours (one row per customer)",
            "lifetimes (compressed)",
            "lifetimes (one row per customer)",
        ):
            if f["method"] != "ours (compressed)":
                continue
            twin = next(
                (
                    g
                    for g in fits
                    if (g["transactions"], g["step"], g["method"]) == (f["transactions"], f["step"], other)
                ),
                None,
            )
            if twin:
                lines.append(
                    f"| {f['transactions']:,} | {f['step']} | ours (compressed) vs {other} | "
                    f"{relative_difference(f['params'], twin['params']):.1e} |"
                )
    return lines


def relative_difference(a: dict, b: dict) -> float:
    return max(abs(a[k] - b[k]) / abs(b[k]) for k in b)


def targets(rows: list[dict], fits: list[dict]) -> list[str]:
    """The issue's targets at the largest size run, each with the measured value and met / not met."""
    n = max(r["transactions"] for r in rows)
    at = {(r["step"], r["method"]): r for r in rows if r["transactions"] == n}

    def seconds(step, method):
        return at[(step, method)]["seconds"] if (step, method) in at else float("nan")

    ours, duck, lt = (
        seconds("summary", m) for m in ("ours (pandas)", "ours (DuckDB on the file)", "lifetimes")
    )
    peak = at.get(("summary", "ours (pandas)"), {}).get("peak RSS (MiB)", float("nan"))
    stage_case = at.get(("stages, 24 monthly snapshots", "ours"), {})
    stage_s = stage_case.get("seconds", float("nan"))
    stage_peak = stage_case.get("peak RSS (MiB)", float("nan"))
    bg, pareto = seconds("BG/NBD fit", "ours (compressed)"), seconds("Pareto/NBD fit", "ours (compressed)")
    diffs = [
        relative_difference(f["params"], g["params"])
        for f in fits
        for g in fits
        if f["transactions"] == g["transactions"]
        and f["step"] == g["step"]
        and f["method"] == "ours (compressed)"
        and g["method"] == "ours (one row per customer)"
    ]
    checks = [
        ("summary time / DuckDB's", f"{ours / duck:.2f}x", ours <= 1.2 * duck, "at most 1.2x"),
        ("summary peak memory", f"{peak:,} MiB", peak <= 1.2 * 1024, "at most 1.2 GB"),
        ("lifetimes' summary time / ours", f"{lt / ours:.1f}x", lt >= 5 * ours, "at least 5x"),
        ("stages over 24 monthly snapshots", f"{stage_s} s", stage_s <= 3, "at most 3 s"),
        ("stages, peak memory", f"{stage_peak:,} MiB", stage_peak <= 1024, "at most 1 GB"),
        ("BG/NBD fit, compressed whole weeks", f"{bg} s", bg < 1, "under 1 s"),
        ("Pareto/NBD fit, compressed whole weeks", f"{pareto} s", pareto < 5, "under 5 s"),
        (
            "compressed vs one-row-per-customer parameters",
            f"{max(diffs):.1e}" if diffs else "n/a",
            bool(diffs) and max(diffs) <= 1e-6,
            "within 1e-6",
        ),
    ]
    customers = at.get(("BG/NBD fit", "ours (one row per customer)"), {}).get("rows out", 0)
    scope = (
        "" if n >= 10_000_000 else " (the targets are set for 1e7 transactions; smaller sizes only indicate)"
    )
    lines = [
        f"At {n:,} transactions ({customers:,} customers){scope}:",
        "",
        "| target | measured | goal | met |",
        "|---|---|---|---|",
    ]
    lines += [f"| {name} | {value} | {goal} | {'yes' if ok else 'no'} |" for name, value, ok, goal in checks]
    return lines


def profile_summary(n: int) -> list[str]:
    """Where the pandas summary's time goes at size ``n``: each phase of ``summary.customer_summary`` timed
    on its own, one after the other (in the function the customer codes and the occasion keys run at
    the same time, on two threads), then the whole function, in a fresh process."""
    import numpy as np
    import pandas as pd

    from lifecycle_utils import summary

    clock = time.perf_counter
    start = clock()
    tx = pd.read_parquet(log_file(n))
    phases = [("read the Parquet file (pyarrow, 3 columns)", clock() - start)]
    start = clock()
    packed = summary._packed_ids(tx["customer_id"])
    phases.append(("pack the ids into integers (Arrow buffers)", clock() - start))
    del packed
    start = clock()
    codes, ids = summary._customer_codes(tx["customer_id"])
    phases.append(("customer codes per row (pack + hash + rank)", clock() - start))
    start = clock()
    keys = summary._occasion_keys(tx)[0]
    phases.append(("occasion keys (pack + one int64 sort on two threads + distinct)", clock() - start))
    start = clock()
    amount = tx["amount"].to_numpy(dtype=float)
    total = np.bincount(codes, weights=amount, minlength=len(ids))
    phases.append(("spend per customer (bincount over the rows)", clock() - start))
    del keys, total, codes
    start = clock()
    summary.customer_summary(tx, END, "W")
    phases.append(("the whole customer_summary (codes and keys at the same time)", clock() - start))
    return [f"| {name} | {seconds:.2f} |" for name, seconds in phases]


def collection_profile() -> list[str]:
    """``make reports`` on CDNOW (the command line, full site, notebooks one per core), timed as a
    whole and per notebook: wall time to each notebook's end, and the time its cells took (papermill's
    per-cell durations, without kernel start-up), with the three slowest cells; then the site."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench_reports_") as folder:
        out = Path(folder) / "reports"
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "lifecycle_utils", "report", "--out", str(out)],
            capture_output=True,
            text=True,
            check=True,
            cwd=HERE.parent,
        )
        total = time.perf_counter() - start
        ended = {}
        for line in done.stdout.splitlines():
            if " done, " in line:
                name = line.split("] ", 1)[1].split(" ", 1)[0]
                ended[name] = line.rsplit(", ", 1)[1].removesuffix(" elapsed")
        site = next((line for line in done.stdout.splitlines() if line.startswith("site built in")), "")
        lines = [
            f"`python -m lifecycle_utils report` on CDNOW, as `make reports` runs it: **{total:.0f} s** "
            f"in all ({site or 'no site line'}).",
            "",
            "| notebook | ended after | its cells took (s) | slowest cells (s) |",
            "|---|---|---|---|",
        ]
        for path in sorted(out.glob("[0-9][0-9]_*.ipynb")):
            cells = json.loads(path.read_text())["cells"]
            times = [
                (c.get("metadata", {}).get("papermill", {}).get("duration") or 0.0, i)
                for i, c in enumerate(cells)
                if c["cell_type"] == "code"
            ]
            slowest = ", ".join(f"cell {i}: {t:.1f}" for t, i in sorted(times, reverse=True)[:3])
            lines.append(
                f"| {path.stem} | {ended.get(path.name, '?')} | {sum(t for t, _ in times):.1f} | {slowest} |"
            )
    return lines


def plot(rows: list[dict]) -> None:
    """Log-log time against size: data steps (summary, stages, RFM) and model steps (fits, CLV) in two
    panels; our methods in solid lines, baselines (lifetimes, plain pandas) dashed."""
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    from lifecycle_utils import plotting

    plotting.setup()
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(14, 6), sharey=True)
    panels = {"data": ("summary", "stages", "RFM"), "models": ("BG/NBD", "Pareto/NBD", "CLV")}
    for ax, (title, prefixes) in zip(axes, panels.items()):
        cases = [c for c in CASES if c[0].startswith(prefixes)]
        colours = plt.get_cmap("tab10")(np.linspace(0, 1, 10))
        for i, (step, method) in enumerate(cases):
            pts = [
                (r["transactions"], r["seconds"]) for r in rows if (r["step"], r["method"]) == (step, method)
            ]
            if len(pts) > 1:
                ax.plot(
                    *zip(*pts),
                    marker="o",
                    color=colours[i % 10],
                    label=f"{step}: {method}",
                    linestyle="-" if method.startswith("ours") else "--",
                )
        ax.set_xscale("log")
        ax.set_yscale("log")
        plotting.decorate(
            ax,
            f"{'Transactions to tables' if title == 'data' else 'Model fits and CLV'}"
            " (log-log; slope 1 = linear)",
            "transactions in the log",
            "seconds (wall clock, incl. reading the file)",
        )
        ax.legend(fontsize=7, loc="upper left")
    fig.savefig(RESULTS / "scaling.png", dpi=110)


REPEATS, REPEAT_BELOW_SECONDS = 3, 10.0


def measure(n: int, step: str, method: str) -> dict:
    """Run a case in fresh processes: ``REPEATS`` times when it takes under ``REPEAT_BELOW_SECONDS``
    (this 2-core machine's timings vary by up to 2x between runs), else once. Returns the run with
    the median time, with the largest peak memory of all runs."""
    runs = []
    while len(runs) < REPEATS and (not runs or runs[0]["seconds"] < REPEAT_BELOW_SECONDS):
        done = subprocess.run(
            [sys.executable, __file__, "--case", str(n), step, method], capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"case {n} {step} {method} failed:\n{done.stderr[-3000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return median | {
        "peak RSS (MiB)": max(r["peak RSS (MiB)"] for r in runs),
        "added RSS (MiB)": max(r["added RSS (MiB)"] for r in runs),
        "runs": len(runs),
    }


def main(sizes: list[int]) -> None:
    RESULTS.mkdir(exist_ok=True)
    rows, fits = [], []
    for n in sizes:
        # data made in a child process: Linux keeps a process's peak RSS across exec, so a parent that
        # had held the data would pass its peak on to every case it starts
        subprocess.run([sys.executable, __file__, "--make", str(n)], check=True)
        import pandas as pd

        actual = len(pd.read_parquet(log_file(n), columns=["amount"]))
        for step, method in CASES:
            if skipped(n, step, method):
                print(f"{n:>11,} | {step} | {method}: skipped (takes minutes at this size)", flush=True)
                continue
            result = measure(n, step, method)
            if "params" in result:
                fits.append(dict(result))
            row = {k: v for k, v in result.items() if k not in {"params", "se"}}
            row["size"], row["transactions"] = f"{n:.0e}", actual
            rows.append(row)
            print(
                f"{n:>11,} | {step} | {method}: {row['seconds']} s, peak {row['peak RSS (MiB)']} MiB, "
                f"{row['rows out']:,} rows",
                flush=True,
            )
    done = subprocess.run(
        [sys.executable, __file__, "--profile", str(max(sizes))], capture_output=True, text=True, check=True
    )
    profile_lines = json.loads(done.stdout.strip().splitlines()[-1])
    columns = [
        "size",
        "transactions",
        "step",
        "method",
        "rows out",
        "seconds",
        "peak RSS (MiB)",
        "added RSS (MiB)",
        "runs",
    ]
    with open(RESULTS / "bench.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    table = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    table += [
        "| " + " | ".join(f"{r[c]:,}" if isinstance(r[c], int) else str(r[c]) for c in columns) + " |"
        for r in rows
    ]
    text = (
        "\n".join(
            [
                "# Benchmarks",
                "",
                *table,
                "",
                "## Targets",
                "",
                *targets(rows, fits),
                "",
                "## Where the summary's time goes",
                "",
                f"At {max(sizes):,} transactions requested (`bench.py --profile`), phase by phase:",
                "",
                "| phase | seconds |",
                "|---|---|",
                *profile_lines,
                "",
                "## The collection on CDNOW",
                "",
                *collection_profile(),
                "",
                "## Growth",
                "",
                *growth(rows),
                "",
                "## Fits: parameter recovery and compression",
                "",
                *recovery(fits),
            ]
        )
        + "\n"
    )
    (RESULTS / "bench.md").write_text(text)
    if len(sizes) > 1:
        plot(rows)
    print("\n" + text)
    print(
        f"written: {RESULTS / 'bench.csv'}, {RESULTS / 'bench.md'}"
        + (f", {RESULTS / 'scaling.png'}" if len(sizes) > 1 else "")
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--make":
        RESULTS.mkdir(exist_ok=True)
        make_data(int(sys.argv[2]))
        sys.exit(0)
    if len(sys.argv) > 2 and sys.argv[1] == "--profile":
        print(json.dumps(profile_summary(int(sys.argv[2]))))
        sys.exit(0)
    if len(sys.argv) > 4 and sys.argv[1] == "--case":
        print(json.dumps(run_case(int(sys.argv[2]), sys.argv[3], sys.argv[4])))
        sys.exit(0)
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000, 10_000_000])
