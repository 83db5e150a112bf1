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
    params = {
        "SURVIVAL_TABLE": str(path),
        "DURATION_COL": "tenure_days",
        "EVENT_COL": "cancelled",
        "ENTRY_COL": "age_at_window_start",
        "GROUP_COLS": ["annual plan"],
        "COX_COVARIATES": ["annual plan", "monthly fee", "support tickets"],
        "VALUE_COL": "monthly fee",
        "DATA": "cdnow_sample",
        "REPORTS_DIR": str(tmp_path),
    }
    pm.execute_notebook(
        str(NOTEBOOKS / "02_churn_survival.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters=params,
        cwd=str(NOTEBOOKS),
        kernel_name="python3",
        progress_bar=False,
    )
    figures = json.loads((tmp_path / "02_churn_survival.json").read_text())["figures"]
    assert figures["source"] == "duration table"
    assert figures["customers"] == len(table)
    assert 0 < figures["HR annual plan"] < 1  # the simulated annual plan lowers the hazard
    assert figures["early-warning list: value at risk"] > 0


def test_strategy_notebook_runs_on_a_real_campaign_table(tmp_path):
    from lifecycle_utils import strategy

    table, _ = strategy.simulate_experiment(
        1500,
        {"holdout": 0.04, "email": 0.06, "email+coupon": 0.09},
        segment_shares={"vip": 0.3, "regular": 0.7},
        segment_lift={"vip": 2.0},
        seed=5,
    )
    path = tmp_path / "campaign.csv"
    table.rename(
        columns={"arm": "cell", "converted": "came_back", "revenue": "sales_90d", "segment": "tier"}
    ).to_csv(path, index=False)
    params = {
        "EXPERIMENT_PATH": str(path),
        "ARM_COL": "cell",
        "CONTROL_ARM": "holdout",
        "CONVERTED_COL": "came_back",
        "REVENUE_COL": "sales_90d",
        "SEGMENT_COL": "tier",
        "ARM_CONTACT_COST": {"email": 0.05, "email+coupon": 0.05},
        "ARM_INCENTIVE_COST": {"email+coupon": 5.0},
        "DATA": "cdnow_sample",
        "REPORTS_DIR": str(tmp_path),
    }
    pm.execute_notebook(
        str(NOTEBOOKS / "05_strategy_comparison.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters=params,
        cwd=str(NOTEBOOKS),
        kernel_name="python3",
        progress_bar=False,
    )
    figures = json.loads((tmp_path / "05_strategy_comparison.json").read_text())["figures"]
    assert set(figures) >= {"email: response lift (points)", "email+coupon: response lift (points)"}
    assert figures["most profitable arm"] in {"email", "email+coupon"}


def _sources(name: str) -> str:
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def test_every_analysis_a_notebook_asks_the_verdict_about_has_a_rule():
    import re

    import pandas as pd

    from lifecycle_utils import sufficiency

    tx = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "date": pd.to_datetime(["2023-01-01", "2023-02-01"]),
            "amount": [1.0, 2.0],
        }
    )
    table = pd.DataFrame({"duration": [1.0, 2.0], "churned": [1, 0], "g": ["x", "y"]})
    campaign = pd.DataFrame({"arm": ["control", "b"], "converted": [0, 1], "segment": ["all", "all"]})
    known = set()
    for verdict in (
        sufficiency.assess_transactions(tx),
        sufficiency.assess_transactions(None),
        sufficiency.assess_durations(table, ["g"], ["g"]),
        sufficiency.assess_durations(table),
        sufficiency.assess_campaign(campaign, "control"),
        sufficiency.assess_campaign(None),
    ):
        known |= set(verdict.checks["analysis"])
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        asked = set(re.findall(r'verdict\.(?:runs|ok)\("([^"]+)"\)', _sources(path.name)))
        assert asked <= known, (path.name, asked - known)
    # every transaction-based verdict answers every question notebooks ask of a log
    assert set(sufficiency.assess_transactions(None).checks["analysis"]) == set(
        sufficiency.assess_transactions(tx).checks["analysis"]
    )


def test_every_notebook_declares_the_parameters_the_command_line_passes_it(tmp_path):
    from lifecycle_utils.__main__ import notebook_parameters, parse

    shared = notebook_parameters(parse(["report", "--data", "x.csv", "--amount-col", "a"]))
    tables = notebook_parameters(parse(["report", "--survival-table", "t.csv", "--campaign", "c.csv"]))
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        declared = set(pm.inspect_notebook(str(path)))
        assert set(shared) | {"REPORTS_DIR"} <= declared, (path.name, set(shared) - declared)
    campaign_params = {
        "EXPERIMENT_PATH",
        "ARM_COL",
        "CONTROL_ARM",
        "CONVERTED_COL",
        "REVENUE_COL",
        "SEGMENT_COL",
        "TARGETING_ARM",
        "ARM_CONTACT_COST",
        "ARM_INCENTIVE_COST",
    }
    campaign = notebook_parameters(parse(["report", "--campaign", "c.csv", "--redemption-rate", "0.2"]))
    assert campaign_params | {"REDEMPTION_RATE"} <= set(campaign)
    assert set(campaign) - {"DATA"} <= set(
        pm.inspect_notebook(str(NOTEBOOKS / "05_strategy_comparison.ipynb"))
    )
    survival_params = set(tables) - set(shared) - set(campaign)
    assert "DURATION_COL" in survival_params
    assert survival_params <= set(pm.inspect_notebook(str(NOTEBOOKS / "02_churn_survival.ipynb")))


def test_committed_notebooks_carry_no_run_to_run_noise():
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        noisy = [
            i for i, c in enumerate(nb["cells"]) if {"execution", "papermill"} & set(c.get("metadata", {}))
        ]
        assert not noisy, (
            f"{path.name}: execution timestamps in cells {noisy[:5]} (re-run with `make notebooks`)"
        )
        assert "papermill" not in nb["metadata"], path.name
