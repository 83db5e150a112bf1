"""Benchmark: transactions to per-customer summary, by our pandas path, DuckDB on a Parquet file,
lifetimes' summary_data_from_transaction_data and a plain pandas groupby, at growing sizes.

Usage: python benchmarks/bench_summary.py [N_TRANSACTIONS ...]   (default 100000 1000000)
Each (size, method) runs in its own process, so peak memory (RSS) is the case's own; times include
reading the Parquet file (DuckDB streams it, the others load it into pandas). Results go to
benchmarks/results/summary.csv and summary.md.
"""

from __future__ import annotations

import csv
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
METHODS = ["ours (pandas)", "duckdb (parquet)", "lifetimes", "plain groupby"]


def data_file(n_transactions: int) -> Path:
    """A Parquet log of about n transactions from the BG/NBD + Gamma-Gamma simulator (cached)."""
    path = RESULTS / f"tx_{n_transactions}.parquet"
    if not path.exists():
        from lifecycle_utils import simulate

        customers = max(1000, n_transactions // 3)  # about 3 transactions per customer at CDNOW's parameters
        tx, _ = simulate.simulate_transactions(customers, start="2022-01-01", acquisition_months=12,
                                               observation_end="2023-12-31", seed=0)
        tx.to_parquet(path)
    return path


def run_case(n_transactions: int, method: str) -> dict:
    import pandas as pd

    path = data_file(n_transactions)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    tx = pd.read_parquet(path) if method != "duckdb (parquet)" else None  # reading the file is part of the job
    if method == "ours (pandas)":
        from lifecycle_utils import summary

        out = summary.customer_summary(tx, "2023-12-31", "W")
    elif method == "duckdb (parquet)":
        from lifecycle_utils import summary

        out = summary.customer_summary_from_file(str(path), observation_end="2023-12-31")
    elif method == "lifetimes":
        from lifecycle_utils._lifetimes import lifetimes_utils

        out = lifetimes_utils.summary_data_from_transaction_data(
            tx, "customer_id", "date", "amount", freq="D", freq_multiplier=7, observation_period_end="2023-12-31")
    else:
        out = tx.groupby("customer_id").agg(first=("date", "min"), last=("date", "max"), n=("date", "nunique"),
                                            spend=("amount", "sum"))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"transactions": n_transactions, "method": method, "customers": len(out), "seconds": round(seconds, 3),
            "peak RSS (MiB)": round(peak / 1024), "added RSS (MiB)": round((peak - before) / 1024)}


def main(sizes: list[int]) -> None:
    RESULTS.mkdir(exist_ok=True)
    rows = []
    for n in sizes:
        # generate the data in a child process: Linux keeps a process's peak RSS across exec, so a
        # parent that had held the data would pass its peak on to every case it starts
        subprocess.run([sys.executable, __file__, "--make", str(n)], check=True)
        for method in METHODS:
            out = subprocess.run([sys.executable, __file__, "--case", str(n), method], capture_output=True, text=True,
                                 check=True).stdout.strip().splitlines()[-1]
            row = dict(zip(["transactions", "method", "customers", "seconds", "peak RSS (MiB)", "added RSS (MiB)"],
                           out.split("\t")))
            rows.append(row)
            print(" | ".join(f"{k}: {v}" for k, v in row.items()), flush=True)
    with open(RESULTS / "summary.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(str(v) for v in r.values()) + " |" for r in rows]
    (RESULTS / "summary.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--make":
        RESULTS.mkdir(exist_ok=True)
        data_file(int(sys.argv[2]))
        sys.exit(0)
    if len(sys.argv) > 3 and sys.argv[1] == "--case":
        result = run_case(int(sys.argv[2]), sys.argv[3])
        print("\t".join(str(v) for v in result.values()))
        sys.exit(0)
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
