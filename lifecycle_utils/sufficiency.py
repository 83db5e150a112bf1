"""What a data set can carry: the data-sufficiency check between cleaning and the analyses.

After cleaning, :func:`assess_transactions` (a transaction log), :func:`assess_durations` (a subscription
duration table) and :func:`assess_campaign` (a randomized campaign table) count what the analyses need
(customers, repeat buyers, months of history, events, levels per group, arms) and return a
:class:`Verdict`: one row per analysis saying whether it can run, what it needs, what the data has, and
what data would fix it. The command line prints the verdict and stops (exit code 2) when no analysis
beyond the data overview can run; a notebook asks ``verdict.runs("analysis")`` before a section and shows
the verdict's note instead of the section when the answer is no, then goes on.

Every threshold is a named constant below, so a judgement of "enough" is a rule that can be read and
tested, not a guess inside a notebook.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from lifecycle_utils.summary import calibration_weeks, default_calibration_end, end_of_observation

__all__ = [
    "MIN_CUSTOMERS",
    "MIN_REPEATERS",
    "MIN_HISTORY_DAYS",
    "MIN_CLV_REPEATERS",
    "MIN_SPLIT_WEEKS",
    "MIN_EVENTS",
    "MIN_EVENTS_PER_PARAMETER",
    "MIN_PER_LEVEL",
    "MIN_ARMS",
    "YEAR_MONTHS",
    "COLUMNS",
    "Verdict",
    "transaction_facts",
    "assess_transactions",
    "assess_durations",
    "assess_campaign",
    "combine",
    "not_run",
    "no_input",
]

MIN_CUSTOMERS = 20  # customers for any per-customer analysis (scores, shares, curves)
MIN_REPEATERS = 20  # customers with two or more purchase occasions, for gaps and stage rules
MIN_HISTORY_DAYS = 28  # days from the first to the last date, for anything measured over time
MIN_CLV_REPEATERS = 20  # repeat buyers in the calibration period, for the BTYD and spend models
MIN_SPLIT_WEEKS = 4  # weeks in each of the calibration and holdout periods
MIN_EVENTS = 5  # churn events for survival comparisons and regression
MIN_EVENTS_PER_PARAMETER = 10  # Cox regression: events per estimated coefficient (Peduzzi et al. 1995)
MIN_PER_LEVEL = 5  # customers per level of a group for a curve or a test
MIN_ARMS = 2  # arms of a randomized test
YEAR_MONTHS = 13  # month ends needed to compare a stage a year apart

COLUMNS = ["analysis", "notebook", "needs", "found", "runs", "what would fix it"]


@dataclass(frozen=True)
class Verdict:
    """Which analyses a data set can carry.

    ``facts``: the counts the rules read (customers, repeat buyers, days of history, ...).
    ``checks``: one row per analysis with the columns ``analysis``, ``notebook`` (``"00"`` to ``"05"``),
    ``needs`` (the rule in words), ``found`` (what the data has), ``runs`` (bool) and
    ``what would fix it``.
    """

    facts: pd.Series
    checks: pd.DataFrame = field(repr=False)

    def ok(self, analysis: str) -> bool:
        """Whether ``analysis`` can run (``KeyError`` for an analysis the verdict does not know)."""
        row = self._row(analysis)
        return bool(row["runs"])

    def _row(self, analysis: str) -> pd.Series:
        match = self.checks[self.checks["analysis"] == analysis]
        if match.empty:
            raise KeyError(
                f"no sufficiency rule for {analysis!r}; known: {', '.join(self.checks['analysis'])}"
            )
        return match.iloc[0]

    def note(self, analysis: str) -> str:
        """A short Markdown note for a section that cannot run: what is missing, what would fix it."""
        row = self._row(analysis)
        return (
            f"**Not enough data for {row['analysis']}.** It needs {row['needs']}; this data has "
            f"{row['found']}. *What would fix it:* {row['what would fix it']}."
        )

    def runs(self, analysis: str) -> bool:
        """For a notebook cell: ``True`` when ``analysis`` can run; otherwise display its note (as
        Markdown in a notebook, as text elsewhere) and return ``False``."""
        if self.ok(analysis):
            return True
        try:
            from IPython import get_ipython
            from IPython.display import Markdown, display
        except ImportError:  # pragma: no cover - IPython ships with the project
            get_ipython = None
        if get_ipython is not None and get_ipython() is not None:
            display(Markdown(self.note(analysis)))
        else:
            print(self.note(analysis))
        return False

    def table(self, notebook: str | None = None) -> pd.DataFrame:
        """The checks for display (all, or one notebook's), with ``runs`` as yes/no."""
        rows = self.checks if notebook is None else self.checks[self.checks["notebook"] == notebook]
        out = rows.assign(runs=rows["runs"].map({True: "yes", False: "no"}))
        return out.set_index("analysis")

    def with_check(self, analysis: str, notebook: str, needs: str, found: str, ok: bool, fix: str) -> Verdict:
        """This verdict with one more check (or a check replaced): for preconditions known only after a
        step has run, e.g. whether any model fitted cleanly."""
        row = pd.DataFrame([_check(analysis, notebook, needs, found, ok, fix)], columns=COLUMNS)
        rest = self.checks[self.checks["analysis"] != analysis]
        return Verdict(self.facts, pd.concat([rest, row], ignore_index=True))

    def any_analysis(self) -> bool:
        """Whether any analysis beyond the data overview can run."""
        return bool(self.checks.loc[self.checks["analysis"] != "data overview", "runs"].any())

    def message(self) -> str:
        """Plain text for the command line: the facts, then every analysis that cannot run and why."""
        lines = [f"  {k}: {v}" for k, v in self.facts.items()]
        blocked = self.checks[~self.checks["runs"]]
        if blocked.empty:
            lines.append("every analysis can run")
        for _, row in blocked.iterrows():
            lines.append(
                f"  not enough data for {row['analysis']} ({row['notebook']}): needs {row['needs']}, "
                f"has {row['found']}; {row['what would fix it']}"
            )
        return "\n".join(lines)


def _check(analysis: str, notebook: str, needs: str, found: str, ok: bool, fix: str) -> dict:
    return dict(zip(COLUMNS, [analysis, notebook, needs, found, bool(ok), fix]))


def _verdict(facts: dict, rows: list[dict]) -> Verdict:
    return Verdict(pd.Series(facts, dtype=object, name="value"), pd.DataFrame(rows, columns=COLUMNS))


# -------------------------------------------------------------------------------------- transactions
def transaction_facts(tx: pd.DataFrame, observation_end=None) -> dict:
    """The counts the transaction rules read: rows, customers, repeat buyers (two or more purchase
    occasions, i.e. distinct days), first and last date, days of history (first to last date or
    observation end, inclusive), month ends covered, acquisition months, and the repeat buyers and
    weeks of a calibration period ending halfway through the data in whole weeks (as the CLV notebook
    splits by default)."""
    if tx.empty:
        return {
            "rows": 0,
            "customers": 0,
            "repeat buyers": 0,
            "days of history": 0,
            "month ends": 0,
            "acquisition months": 0,
            "calibration repeat buyers": 0,
            "calibration weeks": 0,
            "holdout weeks": 0,
        }
    first = tx["date"].min().normalize()
    end = end_of_observation(tx["date"], observation_end).normalize()
    days = (end - first).days + 1
    occasions = tx[["customer_id", "date"]].drop_duplicates()
    per_customer = occasions.groupby("customer_id", sort=False).size()
    try:  # the split notebook 04 makes by default
        calibration_end = default_calibration_end(tx)
    except ValueError:  # under two weeks of data: no split
        calibration_end = first - pd.Timedelta(days=1)
    half_weeks = calibration_weeks(tx, calibration_end)
    early = occasions[occasions["date"] <= calibration_end].groupby("customer_id", sort=False).size()
    acquired = tx.groupby("customer_id", sort=False)["date"].min().dt.to_period("M").nunique()
    return {
        "rows": len(tx),
        "customers": int(per_customer.size),
        "repeat buyers": int((per_customer >= 2).sum()),
        "first date": first.date().isoformat(),
        "last date": end.date().isoformat(),
        "days of history": int(days),
        "month ends": len(pd.date_range(first, end, freq="ME")) + int(not end.is_month_end),
        "acquisition months": int(acquired),
        "calibration repeat buyers": int((early >= 2).sum()),
        "calibration weeks": int(half_weeks),
        "holdout weeks": int((end - calibration_end).days // 7),
    }


def assess_transactions(
    tx: pd.DataFrame | None, observation_end=None, churn_days: int | None = None
) -> Verdict:
    """The verdict for a cleaned transactions frame (``None``: no transaction log was given).

    ``churn_days``: a churn threshold set by the user, which lets stages and survival run without the
    repeat buyers a derived threshold needs. The analyses and their rules:

    * data overview (00): one customer.
    * stage rules (01, 02): :data:`MIN_REPEATERS` repeat buyers (the thresholds are read off the gaps
      between their purchases) or a churn threshold given; and :data:`MIN_HISTORY_DAYS` of history.
    * stage transitions (01): stage rules, and two month ends. Year-on-year flows: :data:`YEAR_MONTHS`.
    * cohort retention (01): :data:`MIN_CUSTOMERS` customers over two month ends.
    * purchase funnel (01): :data:`MIN_CUSTOMERS` customers and :data:`MIN_HISTORY_DAYS` of history.
    * churn survival (02): stage rules and :data:`MIN_CUSTOMERS` customers.
    * RFM segmentation (03): :data:`MIN_CUSTOMERS` customers and :data:`MIN_HISTORY_DAYS` of history;
      RFM over time (migration, predictive check): also a calibration period of :data:`MIN_SPLIT_WEEKS`
      weeks before and after the earlier snapshot.
    * CLV models (04): :data:`MIN_CLV_REPEATERS` repeat buyers in the calibration period (the first half
      of the data in whole weeks) and :data:`MIN_SPLIT_WEEKS` weeks on either side of the split.
    * strategy targeting (05): CLV models and stage rules.
    """
    if tx is None:
        return _verdict(
            {"transaction log": "none given"},
            [
                _check(name, nb, "a transaction log", "none", False, "pass a transaction log (--data)")
                for name, nb in [
                    ("data overview", "00"),
                    ("stage rules", "01"),
                    ("stage transitions", "01"),
                    ("year-on-year flows", "01"),
                    ("cohort retention", "01"),
                    ("time to second purchase", "01"),
                    ("purchase funnel", "01"),
                    ("churn survival", "02"),
                    ("Cox regression", "02"),
                    ("RFM segmentation", "03"),
                    ("RFM over time", "03"),
                    ("CLV models", "04"),
                    ("CLV values", "04"),
                    ("strategy targeting", "05"),
                ]
            ],
        )
    f = transaction_facts(tx, observation_end)
    customers, repeaters, days, months = (
        f["customers"],
        f["repeat buyers"],
        f["days of history"],
        f["month ends"],
    )
    longer = "a log covering a longer period"
    more = "more customers (a longer or wider extract of the log)"
    history_ok = days >= MIN_HISTORY_DAYS
    rules_ok = history_ok and (repeaters >= MIN_REPEATERS or churn_days is not None)
    rules_found = f"{repeaters:,} repeat buyers over {days:,} days" + (
        f" (churn threshold given: {churn_days} days)" if churn_days is not None else ""
    )
    clv_ok = (
        f["calibration repeat buyers"] >= MIN_CLV_REPEATERS
        and f["calibration weeks"] >= MIN_SPLIT_WEEKS
        and f["holdout weeks"] >= MIN_SPLIT_WEEKS
    )
    rows = [
        _check(
            "data overview",
            "00",
            "at least one customer",
            f"{customers:,} customers",
            customers >= 1,
            "a file with at least one valid row (see the cleaning ledger)",
        ),
        _check(
            "stage rules",
            "01",
            f"{MIN_REPEATERS} customers with two or more purchase days (or a churn "
            f"threshold set by hand) and {MIN_HISTORY_DAYS} days of history",
            rules_found,
            rules_ok,
            f"{longer} in which customers come back",
        ),
        _check(
            "stage transitions",
            "01",
            "stage rules and two month ends",
            f"{months} month end(s)",
            rules_ok and months >= 2,
            longer,
        ),
        _check(
            "year-on-year flows",
            "01",
            f"stage rules and {YEAR_MONTHS} month ends",
            f"{months} month end(s)",
            rules_ok and months >= YEAR_MONTHS,
            "a log covering more than a year",
        ),
        _check(
            "cohort retention",
            "01",
            f"{MIN_CUSTOMERS} customers over two month ends",
            f"{customers:,} customers, {months} month end(s)",
            customers >= MIN_CUSTOMERS and months >= 2,
            f"{more} over two months or more",
        ),
        _check(
            "time to second purchase",
            "01",
            f"{MIN_REPEATERS} customers with two or more purchase days",
            f"{repeaters:,}",
            repeaters >= MIN_REPEATERS,
            "a longer log, in which customers come back",
        ),
        _check(
            "purchase funnel",
            "01",
            f"{MIN_CUSTOMERS} customers over {MIN_HISTORY_DAYS} days",
            f"{customers:,} customers over {days:,} days",
            customers >= MIN_CUSTOMERS and history_ok,
            f"{more}, over four weeks or more",
        ),
        _check(
            "churn survival",
            "02",
            f"stage rules (or a churn threshold set by hand) and {MIN_CUSTOMERS} customers",
            rules_found,
            rules_ok and customers >= MIN_CUSTOMERS,
            f"{longer} in which customers come back, or set CHURN_DAYS",
        ),
        _check(
            "Cox regression",
            "02",
            "churn survival (events per covariate are checked by the fit itself)",
            rules_found,
            rules_ok and customers >= MIN_CUSTOMERS,
            f"{longer} in which customers come back",
        ),
        _check(
            "RFM segmentation",
            "03",
            f"{MIN_CUSTOMERS} customers and {MIN_HISTORY_DAYS} days of history",
            f"{customers:,} customers over {days:,} days",
            customers >= MIN_CUSTOMERS and history_ok,
            f"{more}, over four weeks or more",
        ),
        _check(
            "RFM over time",
            "03",
            f"RFM segmentation and {MIN_SPLIT_WEEKS} weeks before and after the earlier snapshot",
            f"{f['calibration weeks']} and {f['holdout weeks']} weeks",
            customers >= MIN_CUSTOMERS
            and f["calibration weeks"] >= MIN_SPLIT_WEEKS
            and f["holdout weeks"] >= MIN_SPLIT_WEEKS,
            longer,
        ),
        _check(
            "CLV models",
            "04",
            f"{MIN_CLV_REPEATERS} repeat buyers in the calibration period (the first "
            f"half of the data) and {MIN_SPLIT_WEEKS} weeks on each side of the split",
            f"{f['calibration repeat buyers']:,} repeat buyers, {f['calibration weeks']} + "
            f"{f['holdout weeks']} weeks",
            clv_ok,
            f"{longer}, with more customers who buy again",
        ),
        _check(
            "CLV values",
            "04",
            "CLV models and a model that fits cleanly (known after fitting)",
            "not fitted yet" if clv_ok else "CLV models cannot run",
            clv_ok,
            f"{longer}, with more customers who buy again",
        ),
        _check(
            "strategy targeting",
            "05",
            "CLV models and stage rules",
            f"CLV models {'can' if clv_ok else 'cannot'} run, stage rules {'can' if rules_ok else 'cannot'}",
            clv_ok and rules_ok,
            f"{longer}, with more customers who buy again",
        ),
    ]
    return _verdict(f, rows)


# ------------------------------------------------------------------------------------ duration tables
def assess_durations(
    table: pd.DataFrame | None, group_cols: list[str] | None = None, covariates: list[str] | None = None
) -> Verdict:
    """The verdict for a loaded duration table (standard columns ``duration``, ``churned``; see
    ``survival.load_survival_table``), or ``None`` when none was given.

    * churn survival (02): :data:`MIN_CUSTOMERS` customers and at least one churn event.
    * group comparison (02): per group column, two levels with :data:`MIN_PER_LEVEL` customers each and
      :data:`MIN_EVENTS` events in all.
    * Cox regression (02): :data:`MIN_EVENTS_PER_PARAMETER` events per coefficient (a categorical
      covariate with k levels has k - 1).
    """
    if table is None:
        return _verdict({"duration table": "none given"}, [])
    n, events = len(table), int(table["churned"].sum())
    facts = {"customers": n, "churn events": events, "censored": n - events}
    rows = [
        _check(
            "churn survival",
            "02",
            f"{MIN_CUSTOMERS} customers and one churn event",
            f"{n:,} customers, {events:,} events",
            n >= MIN_CUSTOMERS and events >= 1,
            "a table with more customers, observed long enough for some to cancel",
        )
    ]
    for col in group_cols or []:
        sizes = table[col].value_counts()
        levels = int((sizes >= MIN_PER_LEVEL).sum())
        rows.append(
            _check(
                f"group comparison by {col}",
                "02",
                f"two levels with {MIN_PER_LEVEL} customers each and {MIN_EVENTS} events",
                f"{levels} such level(s), {events:,} events",
                levels >= 2 and events >= MIN_EVENTS,
                f"a table in which '{col}' takes at least two values",
            )
        )
    if not covariates:
        rows.append(
            _check(
                "Cox regression",
                "02",
                "covariates",
                "none given",
                False,
                "name the covariate columns (COX_COVARIATES, --cox-covariates)",
            )
        )
    else:
        parameters = sum(
            max(table[c].nunique() - 1, 1) if not pd.api.types.is_numeric_dtype(table[c]) else 1
            for c in covariates
        )
        rows.append(
            _check(
                "Cox regression",
                "02",
                f"{MIN_EVENTS_PER_PARAMETER} events per coefficient "
                f"({parameters} coefficients: {parameters * MIN_EVENTS_PER_PARAMETER} events)",
                f"{events:,} events",
                events >= parameters * MIN_EVENTS_PER_PARAMETER,
                "more customers or a longer observation, or fewer covariates",
            )
        )
    return _verdict(facts, rows)


# --------------------------------------------------------------------------------------- campaigns
def assess_campaign(table: pd.DataFrame | None, control: str | None = None) -> Verdict:
    """The verdict for a loaded campaign table (standard columns ``arm``, ``converted``, ``segment``;
    see ``strategy.load_experiment``), or ``None`` for the simulated test.

    * campaign test (05): :data:`MIN_ARMS` arms including the control, :data:`MIN_PER_LEVEL` customers
      in each.
    * heterogeneity by segment (05): two segments with :data:`MIN_PER_LEVEL` customers in every arm.
    """
    if table is None:
        return _verdict(
            {"campaign": "simulated"},
            [
                _check("campaign test", "05", "a randomized test", "the simulated test", True, ""),
                _check(
                    "heterogeneity by segment", "05", "segments", "the simulated test's segments", True, ""
                ),
            ],
        )
    arms = table["arm"].value_counts()
    facts = {
        "customers": len(table),
        "arms": int(arms.size),
        "conversions": int(table["converted"].sum()),
        "segments": int(table["segment"].nunique()),
    }
    has_control = control is None or control in arms.index
    arms_ok = arms.size >= MIN_ARMS and has_control and bool((arms >= MIN_PER_LEVEL).all())
    cells = table.groupby(["segment", "arm"]).size().unstack(fill_value=0)
    full_segments = int((cells >= MIN_PER_LEVEL).all(axis=1).sum())
    rows = [
        _check(
            "campaign test",
            "05",
            f"{MIN_ARMS} arms including the control, {MIN_PER_LEVEL} customers each",
            f"{arms.size} arm(s) ({', '.join(map(str, arms.index[:6]))})"
            + ("" if has_control else f", no arm named {control!r}"),
            arms_ok,
            "a table with a control arm and at least one treatment arm",
        ),
        _check(
            "heterogeneity by segment",
            "05",
            f"two segments with {MIN_PER_LEVEL} customers in every arm",
            f"{full_segments} such segment(s)",
            arms_ok and full_segments >= 2,
            "a segment column (SEGMENT_COL, --segment-col) with two or more well-filled segments",
        ),
    ]
    return _verdict(facts, rows)


def combine(*verdicts: Verdict) -> Verdict:
    """One verdict from several (a log, a duration table, a campaign): facts and checks side by side.
    A later verdict's check replaces an earlier one of the same name (a duration table's churn survival
    replaces the log's)."""
    facts = pd.concat([v.facts for v in verdicts])
    checks = pd.concat([v.checks for v in verdicts if not v.checks.empty], ignore_index=True)
    checks = checks.drop_duplicates("analysis", keep="last").reset_index(drop=True)
    return Verdict(facts[~facts.index.duplicated(keep="last")], checks)


def not_run(verdict: Verdict, notebook: str) -> dict[str, str]:
    """For a notebook's recorded figures: ``{"not run: <analysis>": "<what it needs>"}`` for each of its
    analyses the data cannot carry (empty when all run), so the index says what is missing."""
    rows = verdict.checks[(verdict.checks["notebook"] == notebook) & ~verdict.checks["runs"]]
    return {f"not run: {r['analysis']}": f"needs {r['needs']}; has {r['found']}" for _, r in rows.iterrows()}


def no_input() -> Verdict:
    """The verdict when nothing at all was given (nothing can run)."""
    return combine(assess_transactions(None))
