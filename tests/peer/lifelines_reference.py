"""Reference values from lifelines, run in .venv-peer (never imported by the project or its tests).

Usage: python lifelines_reference.py IN_DIR OUT_JSON
Reads IN_DIR/*.csv written by tests/test_survival.py (columns duration, churned), writes lifelines'
Kaplan-Meier (survival and 95% band by time), medians, and on its own Rossi data the Cox (Efron)
coefficients, the log-rank statistic by `fin` and the proportional-hazards test (km transform), plus
the Rossi data itself so the project's wrappers can be run on the same rows.
"""

import json
import sys
from pathlib import Path

import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.datasets import load_rossi
from lifelines.statistics import logrank_test, proportional_hazard_test


def km(frame):
    fit = KaplanMeierFitter().fit(frame["duration"], frame["churned"])
    band = fit.confidence_interval_
    return {"time": fit.survival_function_.index.tolist(),
            "survival": fit.survival_function_.iloc[:, 0].tolist(),
            "lower": band.iloc[:, 0].tolist(), "upper": band.iloc[:, 1].tolist(),
            "median": float(fit.median_survival_time_)}


def main(in_dir: Path, out: Path) -> None:
    result = {"km": {p.stem: km(pd.read_csv(p)) for p in sorted(in_dir.glob("*.csv"))}}
    rossi = load_rossi()
    cox = CoxPHFitter().fit(rossi, "week", "arrest")
    ph = proportional_hazard_test(cox, rossi, time_transform="km").summary["test_statistic"]
    fin = rossi["fin"] == 1
    lr = logrank_test(rossi.loc[fin, "week"], rossi.loc[~fin, "week"], rossi.loc[fin, "arrest"], rossi.loc[~fin, "arrest"])
    result["rossi"] = {"data": rossi.to_dict(orient="list"), "cox_efron": cox.params_.to_dict(),
                       "logrank_fin": float(lr.test_statistic), "ph_km": ph.to_dict(), "km": km(
                           rossi.rename(columns={"week": "duration", "arrest": "churned"}))}
    out.write_text(json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
