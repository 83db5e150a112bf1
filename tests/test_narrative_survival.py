"""lifecycle_utils.narrative.survival: the sentences of notebook 02 from small hand-made tables, each
judgement on both sides of its threshold, the degenerate inputs (empty, a note instead of a table, one
row, NaN, no model), and the Answer and "What this means" from recorded figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import clv, data, estimators, narrative, report
from lifecycle_utils import survival as sv
from lifecycle_utils.narrative import survival as ns
from lifecycle_utils.narrative.words import Text

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02_churn_survival.ipynb"
CAUSAL = re.compile(r"\b(drives?|makes?|cuts?|causes?|leads? to|because of|lengthens?|shortens?)\b", re.I)


# ------------------------------------------------------------------------------------------ rules
@pytest.mark.parametrize(
    "p, words",
    [
        (0.000999, "far beyond chance"),
        (0.001, "beyond chance"),
        (0.00101, "beyond chance"),
        (0.0499, "beyond chance"),
        (0.05, "not distinguishable from chance"),
        (0.0501, "not distinguishable from chance"),
        (0.0, "far beyond chance"),  # a p-value that underflowed
        (None, None),
        (float("nan"), None),
    ],
)
def test_chance_words_follow_the_named_p_value_thresholds(p, words):
    assert ns.chance(p) == words
    assert ns.CHANCE_P == 0.05 and ns.FAR_BEYOND_CHANCE_P == 0.001


@pytest.mark.parametrize("p, fails", [(0.000999, True), (0.001, False), (0.00101, False), (None, False)])
def test_proportional_hazards_fail_below_the_layers_alpha(p, fails):
    assert ns.ph_fails(p) is fails and sv.PH_ALPHA == 0.001


@pytest.mark.parametrize(
    "lower, upper, includes",
    [
        (0.999, 1.2, True),
        (1.0, 1.2, True),
        (1.001, 1.2, False),
        (0.8, 0.999, False),
        (0.8, 1.0, True),
        (0.8, 1.001, True),
        (None, 1.2, True),
        (float("nan"), float("nan"), True),
    ],
)
def test_an_interval_includes_one_at_its_edges(lower, upper, includes):
    assert ns.includes_one(lower, upper) is includes


@pytest.mark.parametrize("share, judged", [(49.9, False), (50.0, False), (50.1, True), (None, False)])
def test_most_means_strictly_more_than_half(share, judged):
    assert ns.most(share) is judged


def test_p_values_are_written_as_the_tables_write_them():
    assert ns.p_text(0.1449) == "p = 0.145" and ns.p_text(3.71e-55) == "p < 0.001"
    assert ns.p_text(0.0497) == "p = 0.0497"  # three significant digits: never "0.050" beside "beyond chance"
    assert (
        ns.p_text(None) == "p n/a" and ns.p_text(0.001) == "p = 0.001" and ns.p_text(0.000999) == "p < 0.001"
    )
    # the survival tables keep "< 1e-300" for an underflow (their -log10 p column keeps the size); a
    # stakeholder table (tables.cell) and the sentence both say "< 0.001"
    assert ns.p_text(9.9e-301) == "p < 0.001" and ns.p_text(0.0) == "p < 0.001"
    underflow = sv.chi_square_result(1400.0, 1)
    assert underflow["p-value"] == "< 1e-300" and ns.logrank_sentence(logranks(("plan", 1400.0, 1))).count(
        "p < 0.001"
    )


def test_statistics_are_written_in_plain_words():
    text = ns.logrank_sentence(logranks(("plan", 43.2, 1), ("region", 9.5, 2)))
    assert "chi-square 43.2 with 1 degree of freedom, p < 0.001" in text
    assert "chi-square 9.50 with 2 degrees of freedom, p = " in text and " df" not in text


def test_the_method_text_states_the_thresholds_the_rules_use():
    text = "".join(
        "".join(c["source"])
        for c in json.loads(NOTEBOOK.read_text())["cells"]
        if c["cell_type"] == "markdown"
    )
    for value in (ns.CHANCE_P, ns.FAR_BEYOND_CHANCE_P, sv.PH_ALPHA):
        assert f"`p < {value:g}`" in text


def test_hazard_ratio_terms_read_as_who_is_compared_with_whom():
    assert ns.term_phrase("repeat within 30 days[yes vs no]") == (
        "customers who bought again within 30 days of their first purchase",
        "that of customers who did not",
    )
    assert (
        ns.term_phrase("log2 first order value")[0] == "customers whose first order was worth twice as much"
    )
    assert ns.term_phrase("Contract[Two year vs Month-to-month]") == (
        "customers with Contract 'Two year'",
        "that of customers with Contract 'Month-to-month'",
    )
    assert ns.term_phrase("fee ($)") == (
        "customers with 'fee (\\$)' one unit higher",
        "that of otherwise similar customers",
    )


# -------------------------------------------------------------------------------- who is evaluated
def description(**changes):
    facts = {
        "source": "transactions",
        "churn threshold (days)": 100,
        "customers in the log": 500,
        "customers": 400,
        "churned (events)": 300,
        "censored": 100,
        "with delayed entry": 0,
        "longest follow-up (days)": 265.0,
    }
    return pd.Series(facts | changes, dtype=object)


def test_the_follow_up_sentence_says_who_is_evaluated_and_how_far_churn_is_seen():
    text = ns.follow_up_sentence(description(), "shop")
    assert isinstance(text, Text)
    assert text.startswith("400 of the 500 customers of shop can be evaluated (the others made their first")
    assert "300 (75.0%) churned" in text and "No active life longer than 265 days can be observed" in text
    assert ns.follow_up_sentence(description(customers=500), "shop").startswith("All 500 customers of shop")
    assert ns.follow_up_sentence(
        description(customers=0, **{"churned (events)": 0, "longest follow-up (days)": float("nan")}), "shop"
    ).startswith("None of the 500 customers of shop can be evaluated")


def test_the_follow_up_sentence_of_a_duration_table():
    table = description(
        source="duration table", **{"with delayed entry": 7, "longest follow-up (days)": 1095.0}
    )
    assert ns.follow_up_sentence(table, "subs") == (
        "subs's duration table holds 400 customers: 300 (75.0%) churned and 100 are censored; 7 entered "
        "observation late (delayed entry). The longest duration observed is 1,095 days."
    )
    empty = description(source="duration table", customers=0)
    assert (
        ns.follow_up_sentence(empty, "subs") == "subs's duration table holds no customer: nothing to analyse."
    )


# ---------------------------------------------------------------------------------- overall survival
def overall(s0="43.0 (42.3-43.6)", s90="30.2 (29.7-30.8)", s365="beyond follow-up", median="0", ci="0 to 0"):
    return pd.DataFrame(
        {
            "customers": [100],
            "churned": [80],
            "S(0) %": [s0],
            "S(90) %": [s90],
            "S(365) %": [s365],
            "median days": [median],
            "median 95% CI": [ci],
        },
        index=pd.Index(["all"], name=""),
    )


def test_the_overall_sentence_states_day_zero_the_horizons_and_the_median():
    text = ns.overall_sentence(overall())
    assert text.startswith(
        "43.0% of the customers are still active after their first purchase day (the table's S(0)); "
    )
    assert "`S(0)`" not in text
    assert "the other 57.0% did not buy again before churning" in text
    assert "still active: 30.2% at 90 days; 365 days lies beyond the follow-up of this data" in text
    assert text.endswith(
        "The median active life is 0 days: at least half of the active lives end on day 0, so the median "
        "says nothing about how long the others last (the restricted mean below does)."
    )


def test_the_overall_sentence_of_a_duration_table_and_an_unreached_median():
    text = ns.overall_sentence(
        overall(s0="100.0 (100.0-100.0)", s365="60.0 (55.0-65.0)", median="not reached", ci="x"),
        source="duration table",
    )
    assert text.startswith("Still active: 30.2% at 90 days, 60.0% at 365 days.")
    assert "day 0" not in text and text.endswith(
        "is not reached: more than half are still active at the end."
    )
    churned_at_zero = ns.overall_sentence(
        overall(s0="90.0 (85.0-95.0)", median="200", ci="150 to 250"), source="duration table"
    )
    assert churned_at_zero.startswith("10.0% of the customers churned on day 0")
    assert "The median active life is 200 days (95% CI 150 to 250)." in churned_at_zero


def test_the_overall_sentence_on_a_note_or_nothing():
    assert (
        ns.overall_sentence(sv.NO_CUSTOMERS)
        == "Survival was not estimated: no customers: nothing to estimate."
    )
    assert ns.overall_sentence(overall().iloc[:0]) == "Survival was not estimated: no customers."
    thin = overall().assign(note="no churn events: survival stays at 100% and the median is not reached")
    assert ns.overall_sentence(thin).endswith(
        "(no churn events: survival stays at 100% and the median is not reached.)"
    )


# ------------------------------------------------------------------------------ the churn threshold
def sensitivity(churned=(97.7, 90.4, 78.8), customers=(500, 500, 500), s365=(2.5, np.nan, np.nan)):
    return pd.DataFrame(
        {
            "customers": list(customers),
            "churned (%)": list(churned),
            "S(90) %": [13.3, 23.7, 30.2],
            "S(365) %": list(s365),
            "median active life (days)": [0, 0, 0],
        },
        index=pd.Index([119, 200, 283], name="churn_days"),
    )


def test_the_threshold_sentence_states_shares_and_what_can_be_observed():
    text = ns.threshold_sentence(sensitivity(), churn_days=283)
    assert text.startswith(
        "Churned share by churn threshold: 97.7% at 119 days, 90.4% at 200 days and 78.8% at 283 days "
        "(the threshold used). The longer the threshold, the smaller the churned share."
    )
    assert "only with a threshold of 119 days (2.5% still active), not with 200 and 283 days" in text
    assert "change too" not in text
    assert text.endswith("survival curves are comparable only at the same threshold.")


def test_the_threshold_sentence_judges_only_what_the_table_shows():
    text = ns.threshold_sentence(sensitivity(churned=(90.0, 91.0, 80.0), customers=(900, 700, 500)))
    assert "The longer the threshold, the smaller" not in text  # not monotone here
    assert "from 900 at 119 days to 500 at 283 days" in text
    assert "can be observed at every threshold" in ns.threshold_sentence(sensitivity(s365=(2.5, 8.0, 13.0)))
    assert "cannot be observed with any" in ns.threshold_sentence(sensitivity(s365=(np.nan,) * 3))
    one = ns.threshold_sentence(sensitivity().iloc[:1], churn_days=119)
    assert one.startswith("Churned share by churn threshold: 97.7% at 119 days (the threshold used).")


def test_the_threshold_sentence_on_a_duration_table_or_no_thresholds():
    assert ns.threshold_sentence(sv.NEEDS_TRANSACTIONS).startswith("A duration table has no churn threshold")
    assert ns.threshold_sentence(
        pd.DataFrame({"note": ["no churn thresholds given: nothing to compare"]})
    ) == ("Not compared: no churn thresholds given: nothing to compare.")
    assert ns.threshold_sentence(sensitivity().iloc[:0]) == "No churn threshold to compare."


# --------------------------------------------------------------------------------------- the groups
def groups():
    rows = [
        (
            "first order value",
            "low ($0-$15)",
            "37.2 (36.1-38.3)",
            "18.8 (18.0-19.7)",
            "beyond follow-up",
            "0",
            "0 to 0",
        ),
        (
            "first order value",
            "high ($32-$1,120)",
            "49.5 (48.4-50.6)",
            "28.6 (27.6-29.6)",
            "beyond follow-up",
            "0",
            "0 to 0",
        ),
        (
            "repeat within 30 days",
            "no",
            "30.9 (30.3-31.6)",
            "25.1 (24.5-25.7)",
            "beyond follow-up",
            "0",
            "0 to 0",
        ),
        (
            "repeat within 30 days",
            "yes",
            "100.0 (100.0-100.0)",
            "54.5 (53.0-56.0)",
            "beyond follow-up",
            "133",
            "116 to 149",
        ),
    ]
    frame = pd.DataFrame(
        rows, columns=["group", "level", "S(0) %", "S(90) %", "S(365) %", "median days", "median 95% CI"]
    )
    return frame.set_index(["group", "level"])


def test_the_group_sentence_gives_each_level_at_the_longest_horizon_all_reach():
    text = ns.group_sentence(groups())
    assert "- **first order value**: low (\\$0-\\$15): 18.8% still active at 90 days, median 0 days;" in text
    assert "yes: 54.5% still active at 90 days, median 133 days (95% CI 116 to 149)." in text
    assert "365" not in text


def test_the_group_sentence_on_one_level_a_note_or_nothing():
    one = ns.group_sentence(groups().iloc[:1])
    assert one.endswith(
        "- **first order value**: low (\\$0-\\$15): 18.8% still active at 90 days, median 0 days."
    )
    assert ns.group_sentence(pd.DataFrame()) == "No groups to compare."
    assert ns.group_sentence(sv.NO_CUSTOMERS) == "No groups compared: no customers: nothing to estimate."
    thin = groups().assign(note=["", "one customer only: no confidence band", "", ""])
    assert "(one customer only: no confidence band)" in ns.group_sentence(thin)


# ------------------------------------------------------------------------------------------ log-rank
def logranks(*rows):
    out = []
    for group, chi, df in rows:
        result = (
            sv.chi_square_result(chi, df)
            if chi is not None
            else estimators._no_test(df, "one level only: nothing to compare")
        )
        out.append({"group": group, "levels": df + 1} | result.to_dict())
    frame = pd.DataFrame(out).set_index("group")
    if "note" in frame:
        frame["note"] = frame["note"].fillna("")
    return frame


def test_the_logrank_sentence_names_chance_by_the_rule_and_ranks_by_p_value():
    text = ns.logrank_sentence(logranks(("first order value", 250.665, 2), ("first basket size", 367.9, 2)))
    assert text.startswith("Ranked by p-value, the clearest difference is by first basket size:")
    assert (
        "- first order value (chi-square 250.7 with 2 degrees of freedom, p < 0.001): far beyond chance."
        in text
    )  # as its table


def test_a_group_built_in_by_its_definition_is_never_the_clearest_and_always_says_so():
    assert "repeat within 30 days" in sv.BUILT_IN_GROUPS and ns.built_in("first order value") is None
    assert ns.built_in("repeat within 30 days[yes vs no]") == sv.BUILT_IN_GROUPS["repeat within 30 days"]
    text = ns.logrank_sentence(
        logranks(("first order value", 250.665, 2), ("repeat within 30 days", 1381.744, 1))
    )
    assert text.startswith(
        "Ranked by p-value; among the groups not built in by their definition, the clearest difference "
        "is by first order value:"
    )
    assert (
        "- repeat within 30 days (chi-square 1,381.7 with 1 degree of freedom, p < 0.001): far beyond "
        "chance; this difference is partly built in by its definition: a customer in the 'yes' group "
        "cannot churn before their repeat purchase" in text
    )
    only = ns.logrank_sentence(logranks(("first order value", 1.0, 2), ("repeat within 30 days", 20.0, 1)))
    assert only.startswith("Only groups whose difference is partly built in by their definition differ")


@pytest.mark.parametrize(
    "chi, words",
    [
        (3.84, "not distinguishable from chance"),  # p = 0.0500
        (3.85, "beyond chance"),  # p = 0.0498
        (10.82, "beyond chance"),  # p = 0.00100
        (10.83, "far beyond chance"),  # p = 0.000999
    ],
)
def test_the_logrank_words_on_both_sides_of_each_threshold(chi, words):
    # chi-square with 1 df: p = 0.05 at 3.841, p = 0.001 at 10.828
    text = ns.logrank_sentence(logranks(("plan", chi, 1)))
    assert text.endswith(f": {words}.") and text.startswith(
        "No group difference in survival is beyond chance:"
        if words.startswith("not")
        else "The log-rank test:"
    )


def test_the_logrank_sentence_on_untested_groups_or_none():
    text = ns.logrank_sentence(logranks(("plan", 0.023, 1), ("region", None, 0)))
    assert text.startswith("No group difference in survival is beyond chance:")
    assert "- plan (chi-square 0.023 with 1 degree of freedom, p = 0.879): not distinguishable" in text
    assert "- region: not tested (one level only: nothing to compare)." in text
    assert ns.logrank_sentence(logranks(("region", None, 0))).startswith("No group could be tested:")
    assert ns.logrank_sentence(pd.DataFrame()) == "No log-rank test: no groups to compare."


# ------------------------------------------------------------------------------------------------ Cox
def hazards(**rows):
    frame = pd.DataFrame(
        [(np.log(hr), hr, lo, hi, "0.01") for hr, lo, hi in rows.values()],
        columns=["coef", "hazard ratio", "lower 95%", "upper 95%", "p-value"],
        index=[k.replace("__", " ") for k in rows],
    )
    return frame


def test_hazard_ratios_read_as_associations_with_their_interval():
    table = hazards(
        **{
            "repeat within 30 days[yes vs no]": (0.386, 0.369, 0.403),
            "first basket (units)": (0.999, 0.988, 1.011),
        }
    )
    text = ns.hazard_sentence(table)
    assert text.startswith("With the other covariates in the model held fixed (associations in this data")
    assert (
        "- Customers who bought again within 30 days of their first purchase had a risk of churning at any "
        "moment (hazard) 0.386 times that of customers who did not (95% CI 0.369 to 0.403); this difference "
        "is partly built in by its definition: a customer in the 'yes' group cannot churn before their "
        "repeat purchase" in text
    )
    assert "churn hazard" not in text
    assert "(95% CI 0.988 to 1.011): the interval includes 1, so no association is detectable." in text
    assert text.endswith("the next section checks that.") and not CAUSAL.search(text)


@pytest.mark.parametrize(
    "chi, upper, disagree",
    [(3.465176, 0.856, True), (3.84, 0.856, True), (3.85, 0.856, False), (3.465176, 1.0, False)],
)  # chi-square 3.84 with 1 df: p = 0.0500; 3.85: p = 0.0498
def test_a_hazard_ratio_the_log_rank_test_contradicts_says_so_and_why(chi, upper, disagree):
    # long: log-rank p = 0.0627 (not beyond chance) but the interval 0.419 to 0.856 excludes 1
    table = hazards(**{"repeat within 30 days[yes vs no]": (0.599, 0.419, upper)})
    tests = logranks(("first order value", 4.57, 2), ("repeat within 30 days", chi, 1))
    facts = description(**{"churned (events)": 258, "churned on day 0": 151})
    text = ns.hazard_sentence(table, logranks=tests, description=facts)
    assert ("the two disagree" in text) is disagree
    if disagree:
        assert (
            "The log-rank test of repeat within 30 days finds no difference beyond chance "
            f"({ns.p_text(ns._p_of(tests.loc['repeat within 30 days']))}) while this interval excludes 1: "
            "the two disagree, for two reasons: 151 of the 258 churns fall on the same day (day 0)" in text
        )
        assert "how day 0 is weighed. Neither figure alone is a finding." in text
    final = ns.final_model_sentence(table, ph_tests(x=0.1), logranks=tests, description=facts)
    assert ("Neither figure alone is a finding" in final) is disagree
    # a Cox interval including 1 against a log-rank difference beyond chance disagrees too
    wide = hazards(**{"repeat within 30 days[yes vs no]": (0.9, 0.7, 1.1)})
    beyond = ns.hazard_sentence(
        wide, logranks=logranks(("repeat within 30 days", 3.85, 1)), description=facts
    )
    assert "finds a difference beyond chance (p = 0.0497) while this interval includes 1" in beyond
    # without the log-rank table the line stands with its built-in caveat only
    assert "disagree" not in ns.hazard_sentence(table)


def test_hazard_sentence_on_a_flagged_row_no_model_or_nothing():
    table = hazards(x=(1.5, 1.2, 1.9)).assign(note=["the coefficient runs off: not trustworthy"])
    assert (
        "- 'x': no hazard ratio to read (the coefficient runs off: not trustworthy)."
        in ns.hazard_sentence(table)
    )
    no_model = pd.DataFrame({"hazard ratio": [np.nan], "note": ["No churn events."]}, index=["no model"])
    assert ns.hazard_sentence(no_model) == "No Cox model was fitted: No churn events."
    assert ns.hazard_sentence(pd.DataFrame()) == "No hazard ratio was estimated."
    left_out = hazards(x=(np.nan, np.nan, np.nan))
    assert ns.hazard_sentence(left_out) == "No hazard ratio was estimated."


# ------------------------------------------------------------------------------ proportional hazards
def ph_tests(**chis):
    rows = [sv.chi_square_result(chi, 1) for chi in chis.values()]
    rows.append(sv.chi_square_result(sum(chis.values()), len(chis)))
    return pd.DataFrame(rows, index=pd.Index([*chis, "GLOBAL"], name="covariate"))


def test_the_ph_sentence_names_passing_and_failing_covariates():
    text = ns.ph_sentence(ph_tests(x=0.055, **{"repeat within 30 days[yes vs no]": 1165.2}), groups=groups())
    assert text.startswith(
        "The check that a hazard ratio stays the same over the whole follow-up (proportional hazards) does "
        "not fail for customers with 'x' one unit higher against otherwise similar customers (p = 0.815)."
    )
    assert (
        "It fails for customers who bought again within 30 days of their first purchase against customers "
        "who did not (chi-square 1,165.2 with 1 degree of freedom, p < 0.001)" in text
    )
    assert "[yes vs no]" not in text
    assert "(100.0% get beyond day 0), against 30.9% of the others" in text
    assert (
        "the repeaters lose a larger share of their number: from 100.0% to 54.5% at 90 days, "
        "against 30.9% to 25.1%" in text
    )
    assert (
        "The model is refitted below stratified by it." in text
        and "Global test: chi-square 1,165.3 with 2 degrees of freedom" in text
    )


def test_the_ph_sentence_says_a_built_in_hazard_ratio_is_not_constant_even_when_the_test_passes():
    # long: the check gives p = 0.0061 for the early repeat, not below PH_ALPHA
    text = ns.ph_sentence(ph_tests(x=1.65, **{"repeat within 30 days[yes vs no]": 7.5}), groups=groups())
    assert "fails" not in text
    assert (
        "Not failing at p < 0.001 is no sign that the hazard ratio of customers who bought again within "
        "30 days of their first purchase stays constant over time: by definition, a customer in the 'yes' "
        "group cannot churn before their repeat purchase" in text
    )
    assert not CAUSAL.search(text) and "constant over time" not in ns.ph_sentence(ph_tests(x=1.65))


@pytest.mark.parametrize("chi, fails", [(10.9, True), (10.8, False)])  # p = 0.001 at chi-square 10.828
def test_the_ph_sentence_on_both_sides_of_alpha(chi, fails):
    text = ns.ph_sentence(ph_tests(x=chi))
    assert ("fails for customers with 'x' one unit higher" in text) is fails and text.startswith(
        "The check that a hazard ratio stays the same"
    ) is not fails


def test_the_ph_sentence_without_a_test():
    no_model = sv.ph_test(
        sv.cox_fit(pd.DataFrame({"duration": [1.0, 2], "churned": [0, 0], "entry": 0.0, "x": [1, 2]}), ["x"])
    )[0]
    assert ns.ph_sentence(no_model).startswith("No proportional-hazards test was possible (no model:")
    assert ns.ph_sentence(pd.DataFrame()) == "No proportional-hazards test was possible (no statistic)."


def test_the_final_model_sentence_says_what_it_is_stratified_by_and_whether_it_passes():
    table = hazards(**{"log2 first order value": (0.902, 0.883, 0.921)})
    text = ns.final_model_sentence(
        table, ph_tests(**{"log2 first order value": 0.056}), stratified_by="repeat within 30 days"
    )
    assert text.startswith("The model to report is stratified by repeat within 30 days: each of its levels")
    assert (
        "customers whose first order was worth twice as much had a risk of churning at any moment (hazard) "
        "0.902 times" in text.lower()
    )
    assert text.endswith(
        "does not fail (global test: chi-square 0.056 with 1 degree of freedom, p = 0.813): these are the "
        "hazard ratios recorded below."
    )
    still = ns.final_model_sentence(table, ph_tests(**{"log2 first order value": 20.0}))
    assert (
        still.startswith("The model stands as fitted.")
        and "still fails for customers whose first order was worth twice as much against" in still
    )
    no_model = pd.DataFrame({"hazard ratio": [np.nan], "note": ["No churn events."]}, index=["no model"])
    assert ns.final_model_sentence(no_model, pd.DataFrame()) == "No Cox model was fitted: No churn events."


# ------------------------------------------------------------------- second purchase, entry, warning
def test_the_conversion_sentence_states_the_shares_not_yet_converted():
    second = pd.DataFrame(
        {
            "S(0) %": ["100.0 (100.0-100.0)"] * 2,
            "S(90) %": ["75.2 (74.2-76.1)", "65.1 (64.1-66.2)"],
            "median days": ["not reached", "293"],
            "median 95% CI": ["not reached to not reached", "272 to 323"],
        },
        index=pd.Index(["low ($0-$15)", "high ($32-$1,120)"], name="first order value"),
    )
    text = ns.conversion_sentence(second)
    assert text.startswith("Share still without a second purchase, by first order value:")
    assert "- low (\\$0-\\$15): 75.2% at 90 days; median time to a second purchase not reached." in text
    assert (
        "- high (\\$32-\\$1,120): 65.1% at 90 days; median time to a second purchase 293 days "
        "(95% CI 272 to 323)." in text
    )
    assert ns.conversion_sentence(second, source="duration table").startswith(
        "The time to a second purchase needs transactions"
    )
    assert ns.conversion_sentence(sv.NO_CUSTOMERS) == "Not estimated: no customers: nothing to estimate."


def test_the_delayed_entry_sentence_reads_the_errors_of_the_check():
    check = pd.DataFrame(
        {"truth": [77.8, 26.2], "KM with delayed entry": [77.4, 25.9], "KM ignoring entry": [85.7, 42.5]},
        index=pd.Index([90, 365], name="days"),
    )
    check["error with entry (points)"] = check["KM with delayed entry"] - check["truth"]
    check["error ignoring entry (points)"] = check["KM ignoring entry"] - check["truth"]
    text = ns.delayed_entry_sentence(check.round(1))
    assert "stays within 0.4 points of the true survival" in text
    assert (
        "ignoring entry overstates it by up to 16.3 points, at 365 days (42.5% against a true 26.2%)" in text
    )
    assert ns.delayed_entry_sentence(pd.DataFrame()) == "The delayed-entry check was not run."


def warning(p=(0.9, 0.8, 0.0)):
    return pd.DataFrame(
        {
            "occasions": [9, 4, 2],
            "tenure (days)": [500, 400, 300],
            "days silent": [250, 230, 100],
            "spend": [1000.0, 500.0, 80.0],
            "annual spend": [730.0, 456.25, 97.33],
            "P(no purchase in horizon)": [0.9, 0.8, 0.5],
            "P(churn in horizon)": list(p),
            "value at risk": [730 * p[0], 456.25 * p[1], 97.33 * p[2]],
        },
        index=["a", "b", "c"],
    )


def test_the_warning_sentence_speaks_of_past_spend_and_who_can_churn():
    # customer c cannot churn within 90 days (probability 0): counted, never described
    text = ns.warning_sentence(warning(), horizon_days=90)
    assert text.startswith(
        "2 of the 3 customers listed can churn within the next 90 days (the others' silence is more than "
        "90 days short of the threshold: probability 0). These 2 have made 4 to 9 purchases and have been "
        "silent for 230 to 250 days; their probability of churning within the next 90 days is 0.80 to 0.90."
    )
    assert "In the past they spent \\$456 to \\$730 a year" in text
    assert "100" not in text and "97" not in text
    assert "past spend, not a forecast" in text and "worth" not in text
    everyone = ns.warning_sentence(warning(p=(0.9, 0.8, 0.7)), horizon_days=90)
    assert everyone.startswith(
        "The 3 customers on the list can churn within the next 90 days (probability above 0). They have "
        "made 2 to 9 purchases and have been silent for 100 to 250 days"
    )
    assert "their probability of churning within the next 90 days is 0.70 to 0.90" in everyone
    nobody = ns.warning_sentence(warning(p=(0.0, 0.0, 0.0)), horizon_days=90)
    assert nobody.startswith("None of the 3 customers listed can churn within the next 90 days")
    assert (
        ns.warning_sentence(warning().iloc[:0], horizon_days=90)
        == "The early-warning list is empty: no customer still active can churn within the next 90 days."
    )
    single = ns.warning_sentence(warning().iloc[:1], horizon_days=90)
    assert "have made 9 purchases and have been silent for 250 days" in single


def test_the_warning_sentence_with_a_predicted_value_ranks_by_it():
    table = warning().assign(**{"predicted value": [10.0, 251.99, 3.0]})
    table["value at risk"] = table["P(churn in horizon)"] * table["predicted value"]
    predicted = clv.PredictedValue(pd.Series(dtype=float), "Pareto/NBD", 12)
    text = ns.warning_sentence(table, horizon_days=90, predicted=predicted)
    assert "In the past they spent \\$456 to \\$730 a year (annual spend" in text
    assert (
        "the value of the next 12 months' purchases predicted by Pareto/NBD with Gamma-Gamma is \\$10 to "
        "\\$252 each" in text
    )
    assert "ranked by the churn probability times that predicted value (value at risk)" in text
    assert "past spend, not a forecast" not in text and "\\$3 " not in text  # c cannot churn: not described
    # the fallback: no predicted value, ranked by past spend, and why
    failed = clv.PredictedValue(None, "Pareto/NBD", 12, "Pareto/NBD did not fit cleanly (no fit)")
    past = ns.warning_sentence(warning(), horizon_days=90, predicted=failed)
    assert (
        "past spend, not a forecast of what they would spend if they stayed (Pareto/NBD did not fit" in past
    )


def test_the_closing_names_the_model_behind_the_predicted_value():
    figures = FIGURES | {
        "early-warning list: ranked by": "predicted value",
        "early-warning list: value at risk": 1830.6,
        "early-warning list: value model": "Pareto/NBD",
        "early-warning list: value months": 12,
    }
    assert ns.answer(figures).endswith(
        "The 12 customers at the top of the early-warning list hold \\$1,831 of the value of the next 12 "
        "months' purchases predicted by Pareto/NBD with Gamma-Gamma, weighted by their probability of "
        "churning within 90 days."
    )
    closing = ns.what_this_means(figures)
    assert "**Who is about to churn.** The 12 customers" in closing
    assert "A prediction, not a promise that a contact keeps them" in closing and "past spend" not in closing
    fallback = ns.what_this_means(
        FIGURES | {"early-warning list: no predicted value": "Pareto/NBD did not fit"}
    )
    assert (
        "That is past spend, not predicted value (Pareto/NBD did not fit): notebook 04 says which" in fallback
    )


def test_the_warning_sentence_of_a_duration_table():
    table = pd.DataFrame(
        {
            "tenure (days)": [43, 85],
            "monthly fee": [56.34, 57.78],
            "P(churn within 90 days)": [0.829, 0.697],
            "value at risk": [46.69, 40.29],
            "note": ["no Cox model (none given): the overall churn curve"] * 2,
        }
    )
    text = ns.warning_sentence(table, horizon_days=90)
    assert text.startswith(
        "The 2 customers at the top of the list are still active after 43 to 85 days; their probability"
    )
    assert "ranked by that probability times 'monthly fee' (56.34 to 57.78 on the list)" in text
    assert text.endswith("Note: no Cox model (none given): the overall churn curve.")
    assert ns.warning_sentence(
        pd.DataFrame({"note": ["no churn events: no early-warning probabilities"]}), horizon_days=90
    ) == ("No early-warning list: no churn events: no early-warning probabilities.")


# ------------------------------------------------------------------- the Answer and the closing text
FIGURES = {
    "source": "transactions",
    "churn threshold (days)": 283,
    "customers": 23570,
    "churned (%)": 78.8,
    "longest follow-up (days)": 262.0,
    "S(0) %": 43.0,
    "S(90) %": 30.2,
    "S(365) %": None,
    "median days": 0.0,
    "median 95% CI": "0 to 0",
    "active lives ending on day 0 (%)": 57.0,
    "churned (events)": 18577,
    "churned on day 0": 13443,
    "strongest log-rank group": "first basket size",
    "strongest log-rank chi-square": 367.9,
    "strongest log-rank df": 2,
    "strongest log-rank p-value": 1.27e-80,
    "median days, first basket size: 1 unit": 0.0,
    "median days, first basket size: 3+ units": 9.0,
    "median days, first basket size: unknown": "not reached",
    "groups built in by definition": "repeat within 30 days",
    "log-rank repeat within 30 days: chi-square": 1381.744,
    "log-rank repeat within 30 days: df": 1,
    "log-rank repeat within 30 days: p-value": 0.0,
    "median days, repeat within 30 days: no": 0.0,
    "median days, repeat within 30 days: yes": 133.0,
    "HR log2 first order value": 0.902,
    "HR log2 first order value lower 95%": 0.883,
    "HR log2 first order value upper 95%": 0.921,
    "Cox model stratified by": "repeat within 30 days",
    "early-warning list: customers": 12,
    "early-warning list: ranked by": "annual spend",
    "early-warning list: value at risk": 8405.98,
    "early-warning horizon (days)": 90,
}


def test_the_answer_formats_the_separate_log_rank_figures():
    assert narrative.answer("02_churn_survival", FIGURES) == (
        "**Answer.** 78.8% of the 23,570 customers churned (churn: 283 days without a purchase). Among the "
        "groups not built in by their definition, survival differs most clearly by first basket size "
        "(log-rank chi-square 367.9 with 2 degrees of freedom, p < 0.001: far beyond chance). The split "
        "by repeat within 30 days gives log-rank chi-square 1,381.7 with 1 degree of freedom, p < 0.001 "
        "(far beyond chance), a difference partly built in by its definition: a customer in the 'yes' group "
        "cannot churn before their repeat purchase, so none of them can churn on day 0. The 12 customers at "
        "the top of the early-warning list hold \\$8,406 of past annual spend weighted by their probability "
        "of churning within 90 days."
    )


def test_a_group_built_in_by_its_definition_is_never_the_headline():
    # the old record shape (the built-in group recorded as the strongest) is what the layer no longer writes
    text = ns.what_this_means(FIGURES)
    lead = "**Among the groups not built in by their definition, survival differs most clearly by first "
    assert lead in text
    assert "most clearly by repeat" not in text and "most clearly by repeat" not in ns.answer(FIGURES)
    assert (
        "- **The split by repeat within 30 days is partly built in by its definition**: a customer in the "
        "'yes' group cannot churn before their repeat purchase, so none of them can churn on day 0. "
        "On the whole population it gives "
        "log-rank chi-square 1,381.7 with 1 degree of freedom, p < 0.001 (far beyond chance); median active "
        "life 0 days for no and 133 days for yes." in text
    )


@pytest.mark.parametrize("p, beyond", [(0.0499, True), (0.05, False), (0.0501, False)])
def test_the_answer_calls_a_difference_beyond_chance_only_below_the_threshold(p, beyond):
    text = ns.answer(FIGURES | {"strongest log-rank p-value": p, "strongest log-rank chi-square": 3.84})
    assert ("survival differs most clearly by first basket size" in text) is beyond
    assert ("no group difference in survival is beyond chance (the clearest, by first" in text) is not beyond
    closing = ns.what_this_means(FIGURES | {"strongest log-rank p-value": p})
    assert ("survival differs most clearly by first basket size**" in closing) is beyond


def test_what_this_means_is_built_from_the_record_alone():
    text = narrative.closing("02_churn_survival", FIGURES)
    assert text.startswith("**Answer.**")
    bullets = text.split("\n\n", 1)[1].splitlines()
    assert bullets[0] == (
        "- **Most active lives end on the first purchase day.** 57.0% of the customers did not buy again "
        "before churning; the median active life is 0 days, which says nothing about how long the others "
        "last."
    )
    assert bullets[1].endswith(
        "median active life 0 days for 1 unit, 9 days for 3+ units and not reached for unknown."
    )
    assert bullets[2].startswith("- **The split by repeat within 30 days is partly built in")
    assert "stratified by repeat within 30 days" in bullets[3] and "0.902 times that of" in bullets[3]
    assert (
        "no active life longer than 262 days can be observed; survival at 365 days lies beyond it"
        in bullets[4]
    )
    assert (
        bullets[5].startswith("- **Who is about to churn.**")
        and "past spend, not predicted value" in bullets[5]
    )
    assert not CAUSAL.search(text) and "worth a" not in text


@pytest.mark.parametrize("share, lead", [(50.0, False), (50.1, True)])
def test_the_day_zero_judgement_needs_more_than_half(share, lead):
    text = ns.what_this_means(FIGURES | {"active lives ending on day 0 (%)": share})
    assert ("**Most active lives end on the first purchase day.**" in text) is lead


def test_the_closing_text_of_a_duration_table():
    figures = {
        "source": "duration table",
        "churn threshold (days)": None,
        "customers": 2316,
        "churned (%)": 56.1,
        "longest follow-up (days)": 1095.0,
        "active lives ending on day 0 (%)": 0.0,
        "median days": 206.0,
        "median 95% CI": "193 to 216",
        "HR Contract[Two year vs Month-to-month]": 0.2,
        "HR Contract[Two year vs Month-to-month] lower 95%": 0.1,
        "HR Contract[Two year vs Month-to-month] upper 95%": 0.3,
        "early-warning list: customers": 12,
        "early-warning list: ranked by": "monthly fee",
        "early-warning list: value at risk": 438.35,
        "early-warning horizon (days)": 90,
    }
    text = narrative.closing("02_churn_survival", figures)
    assert text.startswith("**Answer.** 56.1% of the 2,316 customers churned. The 12 customers at the top")
    assert "hold 438.35 of 'monthly fee' weighted by their probability of churning within 90 days" in text
    assert "- The median active life is 206 days (95% CI 193 to 216)." in text
    assert (
        "customers with Contract 'Two year' had a risk of churning at any moment (hazard) 0.200 times that "
        "of customers with Contract" in text
    )
    assert "- Durations come from the table; the longest is 1,095 days." in text
    assert "day 0" not in text and "threshold" not in text


def test_the_closing_text_survives_missing_and_degenerate_records():
    assert ns.answer({}) == "**Answer.**"
    assert ns.what_this_means({}) == "- No churn survival figure was recorded for this data."
    not_run = {"not run: churn survival": "needs 20 customers"}
    assert ns.answer(not_run) == "**Answer.** Not run on this data: churn survival."
    assert ns.what_this_means(not_run).startswith("- Not run on this data: churn survival. The table under")
    nulls = {k: None for k in FIGURES} | {"churned (%)": 10.0, "customers": 5}
    assert ns.answer(nulls) == "**Answer.** 10.0% of the 5 customers churned."
    ns.what_this_means(nulls)  # every value recorded as null: no failure
    flagged = {"churned (%)": 1.0, "customers": 1, "hazard ratio note": "x: flagged"}
    assert ns.what_this_means(flagged) == "- No hazard ratio can be trusted: x: flagged."


# ---------------------------------------------------------------- the notebook's calls, end to end
@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """The notebook's calls on the CDNOW sample, recorded and read back as the closing cell does."""
    tx, _ = data.load_cdnow_sample()
    surv = sv.prepare(tx, 283)
    overall = sv.survival_summary(surv.table, horizons=(0, 90, 180, 365))
    by_group = sv.group_summary(surv.table, surv.groups, (0, 90, 180, 365))
    logranks = sv.logrank_table(surv.table, surv.groups)
    cox = sv.cox_fit(surv.table, surv.covariates, reference=surv.reference)
    ph_tests = sv.ph_test(cox)[0]
    cox_ph, _ = sv.refit_for_ph(surv, cox, tests=ph_tests)
    warning = sv.early_warning_list(surv, 90, top=12, fit=cox)
    figures = sv.headline_figures(
        surv,
        overall,
        hazard_table=sv.hazard_ratios(cox_ph),
        logranks=logranks,
        warning=warning,
        groups=by_group,
        stratified_by=cox_ph.strata_col,
        horizon_days=90,
    )
    out = tmp_path_factory.mktemp("reports")
    report.record("02_churn_survival", figures, out_dir=out)
    return {
        "surv": surv,
        "overall": overall,
        "groups": by_group,
        "logranks": logranks,
        "ph tests": ph_tests,
        "cox": cox,
        "cox_ph": cox_ph,
        "warning": warning,
        "record": report.read_record("02_churn_survival", out),
    }


def test_every_sentence_runs_on_the_notebooks_results_and_the_record_says_the_same(sample_run):
    record = sample_run["record"]
    assert (
        record["strongest log-rank group"] not in sv.BUILT_IN_GROUPS
        and record["groups built in by definition"] == "repeat within 30 days"
        and record["Cox model stratified by"] == "repeat within 30 days"
    )
    texts = [
        ns.follow_up_sentence(sv.describe(sample_run["surv"]), "sample"),
        ns.overall_sentence(sample_run["overall"]),
        ns.group_sentence(sample_run["groups"]),
        ns.logrank_sentence(sample_run["logranks"]),
        ns.ph_sentence(sample_run["ph tests"], groups=sample_run["groups"]),
        ns.warning_sentence(sample_run["warning"], horizon_days=90),
        ns.hazard_sentence(
            sv.hazard_ratios(sample_run["cox"]),
            logranks=sample_run["logranks"],
            description=sv.describe(sample_run["surv"]),
        ),
        narrative.closing("02_churn_survival", record),
    ]
    assert all(isinstance(t, Text) and t for t in texts) and not any(CAUSAL.search(t) for t in texts)
    assert f"{record['churned (%)']:.1f}%" in texts[0] and f"{record['churned (%)']:.1f}%" in texts[-1]
    chi = f"{record['strongest log-rank chi-square']:,.1f}"
    assert chi in texts[3] and chi in texts[-1]
    built = f"{record['log-rank repeat within 30 days: chi-square']:,.1f}"
    assert built in texts[3] and built in texts[-1] and texts[-1].count("partly built in by its definition")
    assert "partly built in by its definition" in texts[-2]
    assert f"{record['HR log2 first order value']:.3f} times" in texts[-1]


# ------------------------------------------------------------ restricted mean, concordance, landmark
def _rmst(diff_lower: float, group: str = "first order value") -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples(
        [("all", "all"), (group, "low"), (group, "high")], names=["group", "level"]
    )
    out = pd.DataFrame(
        {
            "customers": [30, 10, 20],
            "up to (days)": [262.0, 262.0, 262.0],
            "restricted mean (days)": [73.3, 60.6, 88.0],
            "lower 95%": [71.9, 58.4, 85.5],
            "upper 95%": [74.6, 62.8, 90.4],
            "against": ["", "", "low"],
            "difference (days)": [np.nan, np.nan, 27.4],
            "difference lower 95%": [np.nan, np.nan, diff_lower],
            "difference upper 95%": [np.nan, np.nan, 30.7],
        },
        index=index,
    )
    out.attrs["horizon"] = 262.0
    return out


def test_rmst_sentence_states_the_mean_and_calls_a_difference_only_when_its_interval_excludes_zero():
    text = ns.rmst_sentence(_rmst(24.0))
    assert text.startswith(
        "Counted up to 262 days, a customer's active life lasts 73.3 days on average (restricted mean: the "
        "area under the curve; 95% CI 71.9 to 74.6)."
    )
    assert (
        "- **first order value** (up to 262 days): high 27.4 days longer than low (95% CI 24.0 to 30.7)."
        in text
    )
    assert "includes 0" not in text
    assert "the interval includes 0, so no difference is detectable" in ns.rmst_sentence(_rmst(-0.5))
    built = ns.rmst_sentence(_rmst(24.0, group="repeat within 30 days"))
    assert "partly built in by its definition" in built and "see the landmark analysis" in built
    assert ns.includes_zero(0.0, 1.0) and ns.includes_zero(None, 1.0) and not ns.includes_zero(0.1, 1.0)


def test_rmst_sentence_with_a_level_that_cannot_be_estimated():
    table = _rmst(24.0)
    table.loc[("first order value", "high"), ["difference (days)", "difference lower 95%"]] = np.nan
    table["note"] = ["", "", "follow-up ends at 100 days, before the horizon of 262 days"]
    text = ns.rmst_sentence(table)
    assert "high: not estimated (follow-up ends at 100 days, before the horizon of 262 days)" in text


def test_discrimination_words_follow_the_thresholds_on_both_sides():
    assert ns.discrimination(ns.CONCORDANCE_MODEST - 1e-9) == "barely better than chance"
    assert ns.discrimination(ns.CONCORDANCE_MODEST) == "modest"
    assert ns.discrimination(ns.CONCORDANCE_GOOD - 1e-9) == "modest"
    assert ns.discrimination(ns.CONCORDANCE_GOOD) == "good"
    assert ns.discrimination(None) is None


def test_concordance_sentence_reads_each_model():
    table = pd.DataFrame(
        {
            "concordance": [0.668, np.nan],
            "comparable pairs": [100, 0],
            "customers": [10, 0],
            "note": ["", "not fitted"],
        },
        index=pd.Index(["full model", "landmark model"], name="model"),
    )
    text = ns.concordance_sentence(table)
    assert text.startswith(
        "The full model ranks the churn of comparable pairs of customers correctly with C = 0.668: modest; "
        "the landmark model has no concordance (not fitted). (Harrell's concordance: a coin toss scores one "
        "half, a perfect ranking one; the words follow the thresholds named above the table.)"
    )
    assert not re.search(r"0\.[67]", text.split("0.668")[1])  # the thresholds are named, not restated


def test_landmark_sentence_reports_the_landmark_estimate_without_the_built_in_caveat():
    logranks = pd.DataFrame(
        {"levels": [2], "chi-square": [59.777], "df": [1], "p-value": ["1.06e-14"], "-log10 p": [14.0]},
        index=pd.Index(["repeat within 30 days"], name="group"),
    )
    full = logranks.assign(**{"chi-square": [1381.744], "p-value": ["< 1e-300"]})
    hazards = pd.DataFrame(
        {
            "coef": [-0.277],
            "hazard ratio": [0.758],
            "lower 95%": [0.704],
            "upper 95%": [0.816],
            "p-value": ["1e-13"],
        },
        index=["repeat within 30 days[yes vs no]"],
    )
    text = ns.landmark_sentence(hazards, logranks, full_logranks=full, landmark_days=30)
    assert text.startswith("Counting churn from day 30 among the customers still active at it (time counted")
    assert (
        "- repeat within 30 days: log-rank chi-square 59.8 with 1 degree of freedom, p < 0.001 (far "
        "beyond chance), against chi-square 1,381.7 on the whole population, where the difference is partly "
        "built in by its definition; this landmark figure is the estimate of the association." in text
    )
    assert "had a risk of churning at any moment (hazard) 0.758 times that of customers who did not" in text
    assert "none of them can churn on day 0" not in text  # the built-in caveat belongs to the full population
    none = ns.landmark_sentence(None, pd.DataFrame(), landmark_days=45)
    assert none.startswith("Counting churn from day 45 among the customers still active at it")
    assert none.endswith(": no log-rank test (no groups to compare).")
    # from transactions: the clock runs from the last early purchase to visible churn; a failing
    # proportional-hazards check makes the ratio an average
    visible = sv.SurvivalData(
        pd.DataFrame(), pd.DataFrame(), [], [], None, 283, time_scale="to visible churn"
    )
    ph = pd.DataFrame(
        {"chi-square": [95.7, 102.1], "df": [1, 3], "p-value": ["1.33e-22", "5.5e-22"]},
        index=["repeat within 30 days[yes vs no]", "GLOBAL"],
    )
    text = ns.landmark_sentence(
        hazards, logranks, full_logranks=full, landmark_days=30, data=visible, ph_tests=ph
    )
    assert text.startswith(
        "Counting from each customer's last purchase in the first 30 days to the day churn becomes visible "
        "(283 days without a purchase), with every customer at risk from day 30, so nothing after it decides "
        "who is compared:"
    )
    assert "the estimate of the association beyond the early purchase itself." in text
    assert text.endswith(
        "The proportional-hazards check of this model fails for customers who bought again within 30 days of "
        "their first purchase against customers who did not (p < 0.001): read its hazard ratio as an average "
        "over the follow-up; the log-rank tests above do not assume proportional hazards."
    )
    passing = ph.assign(**{"chi-square": [1.6, 3.0], "p-value": ["0.206", "0.392"]})
    quiet = ns.landmark_sentence(hazards, logranks, landmark_days=30, data=visible, ph_tests=passing)
    assert "average over the follow-up" not in quiet


LANDMARK_FIGURES = FIGURES | {
    "restricted mean horizon (days)": 262.0,
    "restricted mean active life (days)": 73.3,
    "restricted mean lower 95%": 71.9,
    "restricted mean upper 95%": 74.6,
    "concordance: model reported": 0.552,
    "landmark (days)": 30,
    "landmark log-rank repeat within 30 days: chi-square": 59.777,
    "landmark log-rank repeat within 30 days: df": 1,
    "landmark log-rank repeat within 30 days: p-value": 1.06e-14,
    "landmark HR repeat within 30 days[yes vs no]": 0.758,
    "landmark HR repeat within 30 days[yes vs no] lower 95%": 0.704,
    "landmark HR repeat within 30 days[yes vs no] upper 95%": 0.816,
}


def test_the_closing_text_gives_the_restricted_mean_the_landmark_estimate_and_the_concordance():
    text = narrative.closing("02_churn_survival", LANDMARK_FIGURES)
    landmark = (
        "Counting from each customer's last purchase in the first 30 days to the day churn becomes visible, "
        "with every customer at risk from day 30 (a landmark analysis, where nothing after day 30 decides "
        "who is compared), it gives log-rank chi-square 59.8 with 1 degree of freedom, p < 0.001 (far "
        "beyond chance) and a hazard ratio of 0.758 (95% CI 0.704 to 0.816): the estimate of this "
        "association."
    )
    answer, bullets = text.split("\n\n", 1)
    assert landmark in answer and landmark[:-1] in bullets
    assert (
        "counted up to 262 days, an active life lasts 73.3 days on average (restricted mean, 95% CI 71.9 to "
        "74.6)" in bullets
    )
    assert "Harrell's C): model reported C = 0.552 (barely better than chance)" in bullets
    assert "landmark" not in narrative.closing("02_churn_survival", FIGURES)
    table = narrative.closing("02_churn_survival", LANDMARK_FIGURES | {"source": "duration table"})
    assert "counting churn from day 30 among the customers still active at it (a landmark" in table.lower()
    failing = LANDMARK_FIGURES | {"landmark HR repeat within 30 days[yes vs no] PH p-value": 1e-22}
    assert (
        "(95% CI 0.704 to 0.816) (an average over the follow-up: its proportional-hazards check fails): the "
        "estimate" in narrative.closing("02_churn_survival", failing)
    )
    assert "average over the follow-up" not in narrative.closing(
        "02_churn_survival",
        LANDMARK_FIGURES | {"landmark HR repeat within 30 days[yes vs no] PH p-value": 0.2},
    )


@pytest.mark.parametrize(("upper", "said"), [(1.011, True), (1.0, True), (0.999, False)])
def test_the_answer_says_when_the_clearest_group_loses_its_association_in_the_cox_model(upper, said):
    figures = FIGURES | {
        "HR first basket (units)": 0.99,
        "HR first basket (units) lower 95%": 0.987,
        "HR first basket (units) upper 95%": upper,
    }
    clause = (
        "; with the other covariates held fixed in the Cox model it shows no association (hazard ratio "
        f"0.990, 95% CI 0.987 to {upper:.3f}), while first order value keeps its association there"
    )
    assert (clause in ns.answer(figures)) is said
    assert (clause in ns.what_this_means(figures)) is said
    assert "held fixed in the Cox model it shows" not in ns.answer(FIGURES)  # no hazard ratio recorded


# ------------------------------------------------------------------ backtest of the early-warning list
def _backtest_scores(brier=0.076, constant=0.080, gap=0.045, auc=0.72, note=""):
    frame = pd.DataFrame(
        [
            {
                "horizon (days)": 90,
                "customers": 1673,
                "churned": 1527,
                "mean predicted": 0.907,
                "observed share": 0.913,
                "AUC": auc,
                "Brier": brier,
                "Brier of a constant": constant,
                "largest decile gap": gap,
            }
        ],
        index=pd.Index(["1998-03-31"], name="cutoff"),
    )
    return frame.assign(note=note) if note else frame


@pytest.mark.parametrize(
    ("gap", "words"),
    [(ns.CALIBRATION_MAX_GAP - 0.001, "well calibrated"), (ns.CALIBRATION_MAX_GAP, "not well calibrated")],
)
def test_calibration_words_on_both_sides_of_the_rule(gap, words):
    assert ns.calibrated(gap) == words
    text = str(ns.backtest_sentence(pd.DataFrame(), _backtest_scores(gap=gap)))
    assert f": {words} (the rule" in text


@pytest.mark.parametrize(
    ("brier", "words"), [(0.079, ": better than a constant"), (0.080, "no better than a constant")]
)
def test_brier_against_a_constant_on_both_sides(brier, words):
    text = str(ns.backtest_sentence(pd.DataFrame(), _backtest_scores(brier=brier)))
    assert words in text
    figures = {
        "backtest cutoff": "1998-03-31",
        "backtest customers": 1673,
        "backtest churned": 1527,
        "backtest Brier": brier,
        "backtest Brier of a constant": 0.08,
    }
    assert words.removeprefix(": ") in ns.backtest_clause(figures)


@pytest.mark.parametrize(
    ("brier", "lower", "words"),
    [
        (0.076, 0.0019, "better than a constant"),
        (0.076, 0.0, "not detectably better than a constant"),
        (0.076, None, "better than a constant"),
        (0.080, 0.001, "no better than a constant"),
    ],
)
def test_against_a_constant_needs_the_gain_interval_above_zero(brier, lower, words):
    assert ns.against_constant(brier, 0.080, lower) == words


@pytest.mark.parametrize(
    ("auc", "words"),
    [(0.734, "better than days silent alone"), (0.733, "about as well as days silent alone")],
)
def test_against_days_silent_needs_the_named_margin(auc, words):
    assert ns.AUC_BASELINE_MARGIN == 0.02
    assert ns.against_silence(auc, 0.714) == words
    assert ns.against_silence(np.nan, 0.714) is None


def test_backtest_sentence_gives_the_naive_baseline_and_the_gain_interval():
    scores = _backtest_scores().assign(
        **{
            "AUC of days silent": 0.714,
            "Brier gain": 0.0038,
            "Brier gain lower": 0.0019,
            "Brier gain upper": 0.0058,
        }
    )
    calibration = pd.DataFrame({"mean predicted": [0.78, 0.9, 0.99]})
    text = str(ns.backtest_sentence(calibration, scores))
    assert (
        "ranking by days silent alone gives 0.71, so the probabilities rank about as well as days silent "
        "alone (the rule: at least 0.02 higher)" in text
    )
    assert (
        "(a gain of 0.0038, 95% interval 0.0019 to 0.0058 over resampled customers): better than a constant "
        "(the rule: a gain whose 95% interval lies above 0)" in text
    )
    assert text.endswith("over deciles whose mean predictions run from 0.78 to 0.99 only.")


def test_backtest_sentence_states_the_table():
    text = str(ns.backtest_sentence(pd.DataFrame(), _backtest_scores()))
    for figure in ["1998-03-31", "1,673", "0.907", "1,527", "0.913", "AUC 0.72", "0.076", "0.080", "0.045"]:
        assert figure in text
    assert not CAUSAL.search(text)


def test_backtest_sentence_on_thin_data():
    assert str(ns.backtest_sentence(sv.NEEDS_TRANSACTIONS, sv.NEEDS_TRANSACTIONS)).startswith("No backtest:")
    empty = _backtest_scores(auc=np.nan, note="no customer could churn within the horizon").assign(
        customers=0
    )
    assert "No backtest from 1998-03-31: no customer could churn" in str(
        ns.backtest_sentence(pd.DataFrame(), empty)
    )
    thin = _backtest_scores(auc=np.nan, note="only one outcome observed")
    text = str(ns.backtest_sentence(pd.DataFrame(), thin))
    assert "AUC" not in text and "Note: only one outcome observed." in text


def test_what_this_means_mentions_the_backtest():
    figures = {
        "churned (%)": 78.8,
        "backtest cutoff": "1998-03-31",
        "backtest customers": 1673,
        "backtest churned": 1527,
        "backtest AUC": 0.72,
        "backtest Brier": 0.076,
        "backtest Brier of a constant": 0.08,
        "backtest largest decile gap": 0.045,
    }
    text = str(ns.what_this_means(figures))
    assert "**Would the list have been right?** Backtested from 1998-03-31" in text
    assert "Brier of 0.076 against 0.080" in text and "AUC 0.72" in text and "well calibrated" in text
    assert "No backtest of the early-warning list: too thin" in str(
        ns.what_this_means({"churned (%)": 5.0, "backtest note": "too thin"})
    )


def test_headline_figures_record_the_backtest():
    scores = _backtest_scores()
    figures = sv.notebook._backtest_figures(scores)
    assert figures["backtest AUC"] == 0.72 and figures["backtest Brier of a constant"] == 0.08
    assert figures["backtest cutoff"] == "1998-03-31"
    assert sv.notebook._backtest_figures(sv.NEEDS_TRANSACTIONS) == {
        "backtest note": sv.NEEDS_TRANSACTIONS["note"][0]
    }
    assert "backtest AUC" not in sv.notebook._backtest_figures(_backtest_scores(auc=np.nan))


@pytest.mark.parametrize(
    ("customers", "churned", "ok"),
    [
        (sv.MIN_BACKTEST_CUSTOMERS, 1, True),
        (sv.MIN_BACKTEST_CUSTOMERS - 1, 1, False),
        (40, 40, False),
        (40, 0, False),
    ],
)
def test_backtest_is_judged_only_with_enough_customers_and_both_outcomes(customers, churned, ok):
    assert ns.judged(customers, churned) is ok
    scores = _backtest_scores().assign(customers=customers, churned=churned)
    text = str(ns.backtest_sentence(pd.DataFrame(), scores))
    assert (ns.TOO_THIN_TO_JUDGE in text) is not ok
    assert ("calibrated" in text) is ok and ("a constant (the rule" in text) is ok
    figures = {"backtest cutoff": "x", "backtest customers": customers, "backtest churned": churned}
    clause = ns.backtest_clause(figures | {"backtest Brier": 0.001, "backtest Brier of a constant": 0.0})
    assert (ns.TOO_THIN_TO_JUDGE in clause) is not ok
