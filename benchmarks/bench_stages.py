"""Benchmark: stage assignment for N customers over 24 monthly snapshots.

Usage: python benchmarks/bench_stages.py [N_CUSTOMERS ...]   (default 1,000,000)
Prints customers, transactions, snapshots, rows produced, seconds and peak memory (RSS) per case;
each case runs in its own process so peak memory is the case's own.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time


def run_case(n_customers: int) -> str:
    from lifecycle_utils import simulate, stages

    tx, _ = simulate.simulate_transactions(n_customers, start="2022-01-01", acquisition_months=12,
                                           observation_end="2023-12-31", seed=0)
    rules = stages.StageRules(silent_days=119, churn_days=283, mature_occasions=4)
    snapshots = stages.monthly_snapshots(tx, "2023-12-31")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    table = stages.assign_stages(tx, rules, snapshots)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (f"{n_customers:>10,} customers | {len(tx):>11,} transactions | {len(snapshots)} snapshots | "
            f"{len(table):>12,} stage rows | {seconds:6.2f} s | peak RSS {peak / 1024:,.0f} MiB "
            f"(+{(peak - before) / 1024:,.0f} MiB during assignment)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--case":
        print(run_case(int(sys.argv[2])), flush=True)
        sys.exit(0)
    sizes = [int(a) for a in sys.argv[1:]] or [1_000_000]
    for n in sizes:
        subprocess.run([sys.executable, __file__, "--case", str(n)], check=True)
