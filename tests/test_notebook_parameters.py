"""Notebooks run on other inputs through their parameters cell (papermill), end to end."""

from __future__ import annotations

import json
from pathlib import Path

import papermill as pm

from lifecycle_utils import simulate

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_survival_notebook_runs_on_a_subscription_table(tmp_path):
    table, _ = simulate.simulate_subscriptions(4000, seed=11)
    path = tmp_path / "subscriptions.csv"
    table.drop(columns=["monthly fee (per 10)"]).rename(
        columns={"duration": "tenure_days", "churned": "cancelled", "entry": "age_at_window_start"}
    ).to_csv(path, index=False)
    params = {"SURVIVAL_TABLE": str(path), "DURATION_COL": "tenure_days", "EVENT_COL": "cancelled",
              "ENTRY_COL": "age_at_window_start", "GROUP_COLS": ["annual plan"],
              "COX_COVARIATES": ["annual plan", "monthly fee", "support tickets"], "VALUE_COL": "monthly fee",
              "DATA": "cdnow_sample", "REPORTS_DIR": str(tmp_path)}
    pm.execute_notebook(str(NOTEBOOKS / "02_churn_survival.ipynb"), str(tmp_path / "out.ipynb"),
                        parameters=params, cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False)
    figures = json.loads((tmp_path / "02_churn_survival.json").read_text())["figures"]
    assert figures["source"] == "duration table"
    assert figures["customers"] == len(table)
    assert 0 < figures["HR annual plan"] < 1  # the simulated annual plan lowers the hazard
    assert figures["early-warning list: value at risk"] > 0


def test_strategy_notebook_runs_on_a_real_campaign_table(tmp_path):
    from lifecycle_utils import strategy

    table, _ = strategy.simulate_experiment(1500, {"holdout": 0.04, "email": 0.06, "email+coupon": 0.09},
                                            {"vip": 0.3, "regular": 0.7}, {"vip": 2.0}, seed=5)
    path = tmp_path / "campaign.csv"
    table.rename(columns={"arm": "cell", "converted": "came_back", "revenue": "sales_90d", "segment": "tier"}).to_csv(path, index=False)
    params = {"EXPERIMENT_PATH": str(path), "ARM_COL": "cell", "CONTROL_ARM": "holdout", "CONVERTED_COL": "came_back",
              "REVENUE_COL": "sales_90d", "SEGMENT_COL": "tier", "ARM_CONTACT_COST": {"email": 0.05, "email+coupon": 0.05},
              "ARM_INCENTIVE_COST": {"email+coupon": 5.0}, "DATA": "cdnow_sample", "REPORTS_DIR": str(tmp_path)}
    pm.execute_notebook(str(NOTEBOOKS / "05_strategy_comparison.ipynb"), str(tmp_path / "out.ipynb"),
                        parameters=params, cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False)
    figures = json.loads((tmp_path / "05_strategy_comparison.json").read_text())["figures"]
    assert set(figures) >= {"email: response lift (points)", "email+coupon: response lift (points)"}
    assert figures["most profitable arm"] in {"email", "email+coupon"}
