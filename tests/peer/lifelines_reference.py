"""Reference values from lifelines, run in .venv-peer (never imported by the project or its tests).

Usage: python lifelines_reference.py IN_DIR OUT_JSON
Reads IN_DIR/*.csv written by tests/test_survival.py (columns duration, churned), writes lifelines'
Kaplan-Meier (survival and 95% band by time), medians, the restricted mean survival time with
lifelines' variance (of min(T, horizon), not of the estimate) at the longest duration and at half of it,
and on its own Rossi data the Cox (Efron) coefficients, the log-rank statistic by `fin`, the
proportional-hazards test (km transform), the restricted mean at 52 and 30 weeks and Harrell's
concordance of the Cox model (`concordance_index` on minus the partial hazard), plus the Rossi data
itself so the project's wrappers can be run on the same rows.

If IN_DIR/cox/spec.json exists ({"file": "table.csv", "categorical": {column: reference level},
"numeric": [columns]}), it also fits a Cox model (Efron ties, lifelines' default) on IN_DIR/cox/<file>
with each categorical column treatment-coded against its reference level by lifelines' own formula
interface, and writes coefficients and standard errors under "cox_categorical", named as the project
names its design columns: "column[level vs reference]" and the numeric column names.
"""

import json
import re
import sys
import warnings
from pathlib import Path

import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.datasets import load_rossi
from lifelines.statistics import logrank_test, proportional_hazard_test
from lifelines.utils import concordance_index, restricted_mean_survival_time


def rmst(fit: KaplanMeierFitter, horizons) -> dict:
    out = {}
    for h in horizons:
        with warnings.catch_warnings():  # its variance integrates a step function numerically
            warnings.simplefilter("ignore")
            mean, var = restricted_mean_survival_time(fit, t=float(h), return_variance=True)
        out[str(float(h))] = {"rmst": float(mean), "variance": float(var)}
    return out


def km(frame):
    fit = KaplanMeierFitter().fit(frame["duration"], frame["churned"])
    band = fit.confidence_interval_
    longest = float(frame["duration"].max())
    return {
        "rmst": rmst(fit, [longest, longest / 2]),
        "time": fit.survival_function_.index.tolist(),
        "survival": fit.survival_function_.iloc[:, 0].tolist(),
        "lower": band.iloc[:, 0].tolist(),
        "upper": band.iloc[:, 1].tolist(),
        "median": float(fit.median_survival_time_),
    }


def categorical_cox(spec_path: Path) -> dict:
    spec = json.loads(spec_path.read_text())
    frame = pd.read_csv(spec_path.parent / spec["file"])
    terms = [f"C({col}, contr.treatment({ref!r}))" for col, ref in spec["categorical"].items()]
    terms += spec["numeric"]
    # lifelines stops its Newton steps at precision 1e-7 by default, about 4e-5 short of the optimum on this
    # table; a tighter precision reaches the maximum statsmodels finds (score 0), so they agree to 1e-6
    cox = CoxPHFitter().fit(
        frame, "duration", "churned", formula=" + ".join(terms), fit_options={"precision": 1e-12}
    )

    def ours(name: str) -> str:
        hit = re.fullmatch(r"C\((\w+), contr\.treatment\('(.*)'\)\)\[T\.(.*)\]", name)
        return f"{hit[1]}[{hit[3]} vs {hit[2]}]" if hit else name

    return {
        "params": {ours(k): float(v) for k, v in cox.params_.items()},
        "se": {ours(k): float(v) for k, v in cox.standard_errors_.items()},
    }


def main(in_dir: Path, out: Path) -> None:
    result = {"km": {p.stem: km(pd.read_csv(p)) for p in sorted(in_dir.glob("*.csv"))}}
    rossi = load_rossi()
    cox = CoxPHFitter().fit(rossi, "week", "arrest")
    ph = proportional_hazard_test(cox, rossi, time_transform="km").summary["test_statistic"]
    fin = rossi["fin"] == 1
    lr = logrank_test(
        rossi.loc[fin, "week"], rossi.loc[~fin, "week"], rossi.loc[fin, "arrest"], rossi.loc[~fin, "arrest"]
    )
    result["rossi"] = {
        "data": rossi.to_dict(orient="list"),
        "cox_efron": cox.params_.to_dict(),
        "logrank_fin": float(lr.test_statistic),
        "ph_km": ph.to_dict(),
        "km": km(rossi.rename(columns={"week": "duration", "arrest": "churned"})),
        "rmst": rmst(KaplanMeierFitter().fit(rossi["week"], rossi["arrest"]), [52, 30]),
        "concordance": float(
            concordance_index(rossi["week"], -cox.predict_partial_hazard(rossi), rossi["arrest"])
        ),
        "concordance_fitter": float(cox.concordance_index_),
    }
    spec_path = in_dir / "cox" / "spec.json"
    if spec_path.exists():
        result["cox_categorical"] = categorical_cox(spec_path)
    out.write_text(json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
