"""lifecycle_utils.clv: the published CDNOW results, compressed fits, robust fallbacks, and every
lifetimes quirk we work around (each quirk test fails when upstream changes)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import clv, data, summary
from lifecycle_utils.validation import compare

matplotlib.use("Agg")

PUBLISHED_BGNBD = {"r": 0.2426, "alpha": 4.4137, "a": 0.7930, "b": 2.4262}
PUBLISHED_PARETO = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}
ACTUAL_BY_X = [0.237, 0.697, 1.393, 1.560, 2.532, 2.947, 3.862, 6.359]
BGNBD_BY_X = [0.225, 0.523, 1.044, 1.520, 2.164, 2.654, 3.504, 6.157]


@pytest.fixture(scope="module")
def sample():
    return data.load_cdnow_sample()[0]


@pytest.fixture(scope="module")
def split(sample):
    return summary.calibration_holdout(sample, "1997-09-30", observation_end="1998-06-30")


@pytest.fixture(scope="module")
def cal(split):
    return clv.calibration_frame(split)


@pytest.fixture(scope="module")
def fits(cal):
    return clv.fit_models(cal)


def test_bgnbd_reproduces_the_published_fit(fits):
    fit = fits["BG/NBD"]
    assert fit.ok and fit.note == "plain maximum likelihood"
    for k, v in PUBLISHED_BGNBD.items():
        assert fit.params[k] == pytest.approx(v, abs=1e-3)
    assert fit.log_likelihood == pytest.approx(-9582.43, abs=0.01)


def test_pareto_nbd_reproduces_the_published_fit(fits):
    fit = fits["Pareto/NBD"]
    for k, v in PUBLISHED_PARETO.items():
        assert fit.params[k] == pytest.approx(v, abs=5e-3)
    assert fit.log_likelihood == pytest.approx(-9595.0, abs=0.05)


def test_mbgnbd_fits_at_least_as_well_as_bgnbd(fits):
    assert fits["MBG/NBD"].ok and fits["MBG/NBD"].log_likelihood >= fits["BG/NBD"].log_likelihood - 1


def test_gamma_gamma_reproduces_the_published_fit(cal):
    assert (cal["frequency"] > 0).sum() == 946
    gg = clv.fit_gamma_gamma(cal)
    assert gg.params_["p"] == pytest.approx(6.25, abs=0.01)
    assert gg.params_["q"] == pytest.approx(3.74, abs=0.01)
    assert gg.params_["v"] == pytest.approx(15.44, abs=0.01)
    table = clv.spend_model_table(gg)
    assert list(table.index) == ["p", "q", "v", clv.SPEND_MEAN]
    p, q, v = (gg.params_[k] for k in "pqv")
    assert table.loc[clv.SPEND_MEAN, "estimate"] == round(p * v / (q - 1), 2)
    assert np.isnan(clv.spend_model_table(pd.Series({"p": 1.0, "q": 1.0, "v": 2.0})).iloc[-1, 0])


def test_a_spend_model_that_does_not_converge_is_kept_with_a_penalty_and_says_so(capsys):
    """Every customer spends the same on each purchase (no spread within customers): plain maximum
    likelihood does not converge; the first penalizer that converges is kept and shown."""
    frame = pd.DataFrame(
        {"frequency": [2.0, 3.0, 5.0, 1.0] * 20, "monetary_value": [10.0, 11.0, 12.0, 13.0] * 20}
    )
    gg = clv.fit_gamma_gamma(frame)
    assert gg.penalizer_coef in clv.SPEND_PENALIZERS[1:] and capsys.readouterr().out == ""
    table = clv.spend_model_table(gg)
    assert table.index[-1] == "penalizer" and table.loc["penalizer", "estimate"] == gg.penalizer_coef


def test_bgbb_reproduces_the_published_donations_fit():
    donations = clv.load_donations()
    bb = clv.fit_bgbb(
        donations["frequency"],
        donations["recency"],
        n_periods=donations["periods"],
        weights=donations["weights"],
    )
    for k, v in {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}.items():
        assert bb.params_[k] == pytest.approx(v, abs=1e-3)


def test_conditional_expectation_table(split, fits):
    table = clv.conditional_expectations(split, fits)
    assert list(table.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    np.testing.assert_allclose(table["actual"], ACTUAL_BY_X, atol=1e-3)
    np.testing.assert_allclose(table["BG/NBD"], BGNBD_BY_X, atol=1e-3)


def test_holdout_and_tracking_totals(sample, split, fits):
    assert split["frequency_holdout"].sum() == 1882
    track = clv.tracking(sample, fits, weeks=78, calibration_weeks=39)
    assert track["actual (cumulative)"].iloc[-1] == 4339
    assert track.loc[track["week"] == 39, "actual (cumulative)"].item() == 2457
    assert track["BG/NBD (cumulative)"].iloc[-1] == pytest.approx(4339, rel=0.05)
    assert (np.diff(track["BG/NBD (cumulative)"]) >= 0).all()
    totals = clv.tracking_totals(track)
    assert list(totals.columns) == ["repeat purchases in weeks 40-78", "difference from actual (%)"]
    assert totals.loc["actual"].iloc[0] == 4339 - 2457 and totals.attrs == {"first_week": 40, "last_week": 78}
    after = track[track["week"] > 39]
    bg = after["BG/NBD"].sum()
    assert totals.loc["BG/NBD"].iloc[0] == round(bg, 1)
    assert totals.loc["BG/NBD", "difference from actual (%)"] == round(100 * (bg - 1882) / 1882, 1)
    peaks = clv.peak_weeks(track, model="BG/NBD")
    excess = (track["actual"] - track["BG/NBD"]).nlargest(3)
    assert sorted(peaks.index) == list(peaks.index) == sorted(track.loc[excess.index, "week"])
    assert peaks["actual minus expected"].max() == round(excess.max(), 1)
    assert clv.peak_weeks(track, model="nope").empty and clv.peak_weeks(track, model=None).empty


def test_holdout_comparison_has_models_and_baselines(split, fits):
    table = clv.holdout_comparison(split, fits)
    assert {"BG/NBD", "Pareto/NBD", "MBG/NBD", "baseline: calibration rate", "baseline: average"} == set(
        table.index
    )
    assert (table["actual total"] == 1882).all()
    assert table.loc["BG/NBD", "MAE"] < table.loc["baseline: calibration rate", "MAE"]


@pytest.mark.parametrize("name", list(clv.MODELS))
def test_compressed_fit_equals_the_full_fit(cal, name):
    compressed = clv.fit_model(name, cal)
    full = clv.fit_model(name, cal, compressed=False)
    np.testing.assert_allclose(compressed.params, full.params, rtol=1e-6)
    assert len(clv.compress(cal)) < len(cal) / 2


def test_polish_never_lowers_the_likelihood(cal):
    plain = clv.fit_model("BG/NBD", cal)
    refined = clv.fit_model("BG/NBD", cal, refine=True)
    assert refined.log_likelihood >= plain.log_likelihood - 1e-9
    assert refined.params["r"] == pytest.approx(plain.params["r"], abs=1e-3)


def no_dropout_data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    T = np.full(n, 52.0)
    f = rng.poisson(10, n).astype(float)
    return pd.DataFrame({"frequency": f, "recency": np.where(f > 0, T - rng.uniform(0, 1, n), 0), "T": T})


def test_a_fit_with_no_dropout_signal_walks_every_fallback_and_says_so(capsys):
    fit = clv.fit_model("BG/NBD", no_dropout_data())
    assert not fit.ok and len(fit.attempts) == 12  # 3 penalizers x 2 starts x 2 units of time
    assert fit.note.startswith("no clean fit")
    assert any("did not converge" in a for a in fit.attempts) and any("boundary" in a for a in fit.attempts)
    assert capsys.readouterr().out == ""  # lifetimes' printed scipy result is swallowed
    report = clv.fit_report({"BG/NBD": fit})
    assert report.loc["BG/NBD", "fitted"] == "on a boundary"


def test_the_time_unit_does_not_matter(cal):
    """Time in minutes: the same published BG/NBD fit, alpha scaled to minutes (a scale parameter is
    judged against the customers' ages, so 44,490 minutes is no boundary)."""
    minutes = 7 * 24 * 60
    fit = clv.fit_model("BG/NBD", cal.assign(recency=cal["recency"] * minutes, T=cal["T"] * minutes))
    assert fit.ok
    assert fit.params["alpha"] / minutes == pytest.approx(PUBLISHED_BGNBD["alpha"], abs=1e-2)
    for k in ("r", "a", "b"):
        assert fit.params[k] == pytest.approx(PUBLISHED_BGNBD[k], abs=1e-2)


def test_a_fallback_that_succeeds_is_kept_and_reported(cal, monkeypatch):
    real = clv.fitting._attempt
    calls = []

    def failing_first(cls, data, penalizer, initial, time_scale=1.0):
        calls.append(penalizer)
        if len(calls) <= 2:  # both unpenalized starts fail to converge, as on real retail logs
            return None, "did not converge (simulated)", 3
        return real(cls, data, penalizer, initial, time_scale)

    monkeypatch.setattr(clv.fitting, "_attempt", failing_first)
    fit = clv.fit_model("BG/NBD", cal)
    assert fit.ok and fit.attempts[:2] == [
        "penalizer 0, start default: did not converge (simulated); 3 RuntimeWarnings captured",
        "penalizer 0, start from the data: did not converge (simulated); 3 RuntimeWarnings captured",
    ]
    assert fit.note.startswith("kept the fit with penalizer 0.001, start default after:")
    assert fit.params["r"] == pytest.approx(PUBLISHED_BGNBD["r"], abs=0.02)  # a small penalty barely moves it


def test_runtime_warnings_are_counted_not_printed(recwarn):
    fit = clv.fit_model("BG/NBD", no_dropout_data(n=40), penalizers=(0.0, 0.001))
    assert any("RuntimeWarnings captured" in a for a in fit.attempts)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# ---------------------------------------------------------------------------- lifetimes quirks
def test_quirk_pareto_palive_nan_when_recency_equals_T(fits):
    raw = fits["Pareto/NBD"].model.conditional_probability_alive(
        np.array([200.0]), np.array([38.0]), np.array([38.0])
    )
    assert np.isnan(raw).all(), "lifetimes/scipy fixed the NaN: probability_alive's patch can go"
    ours = clv.probability_alive(fits["Pareto/NBD"], [200.0, 0.0], [38.0, 0.0], [38.0, 38.0])
    assert ours[0] == 1.0 and 0 < ours[1] < 1


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # lifetimes' own NaN path warns
def test_quirk_pareto_expected_purchases_nan_when_recency_equals_t_closed_form_instead(fits):
    # lifetimes: NaN (its P(alive) is NaN there); ours: the closed form, continuous with the finite values
    # next to it and equal to lifetimes where lifetimes is finite
    fit = fits["Pareto/NBD"]
    raw = fit.model.conditional_expected_number_of_purchases_up_to_time(
        52.0, np.array([200.0]), np.array([38.0]), np.array([38.0])
    )
    assert np.isnan(raw).all(), "lifetimes/scipy fixed the NaN: expected_purchases' patch can go"
    at_t = clv.expected_purchases(fit, 52.0, frequency=[200.0], recency=[38.0], T=[38.0])[0]
    near = clv.expected_purchases(fit, 52.0, frequency=[200.0], recency=[38.0 - 1e-4], T=[38.0])[0]
    assert np.isfinite(at_t) and at_t == pytest.approx(near, rel=1e-4)
    # the closed form reproduces lifetimes on an ordinary customer (P(alive) 1 is exact only at T, so
    # compare the rate x share part: lifetimes / P(alive))
    r, alpha, s, beta = (float(fit.params[k]) for k in ("r", "alpha", "s", "beta"))
    x, t_x, T = 3.0, 20.0, 38.0
    theirs = fit.model.conditional_expected_number_of_purchases_up_to_time(52.0, x, t_x, T)
    p = clv.probability_alive(fit, [x], [t_x], [T])[0]
    closed = (
        p * (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + 52.0)) ** (s - 1))
    )
    assert closed == pytest.approx(float(theirs), rel=1e-9)


def test_quirk_pareto_default_start_is_random_ours_is_not(cal):
    from lifetimes import ParetoNBDFitter

    frame = clv.compress(cal)
    runs, ours = [], []
    for seed in (0, 1):
        np.random.seed(seed)
        runs.append(
            ParetoNBDFitter()
            .fit(frame["frequency"], frame["recency"], frame["T"], weights=frame["weight"])
            .params_
        )
        np.random.seed(seed)
        ours.append(clv.fit_model("Pareto/NBD", frame).params)
    assert not runs[0].equals(runs[1]), "lifetimes' Pareto/NBD start is deterministic now"
    pd.testing.assert_series_equal(ours[0], ours[1], check_exact=True)


def test_quirk_calculate_alive_path_breaks_on_pandas3(fits, sample):
    from lifetimes.utils import calculate_alive_path

    with pytest.raises(TypeError, match="fillna"):
        calculate_alive_path(
            fits["BG/NBD"].model, sample[sample["customer_id"] == "0001"], "date", 546, freq="D"
        )


def test_quirk_plot_history_alive_breaks(fits, sample):
    from lifetimes.plotting import plot_history_alive

    with pytest.raises(TypeError):
        plot_history_alive(
            fits["BG/NBD"].model, 546, sample[sample["customer_id"] == "0001"], "date", freq="D"
        )


def test_quirk_plot_expected_repeat_purchases_breaks_on_new_matplotlib(fits):
    from lifetimes.plotting import plot_expected_repeat_purchases

    with pytest.raises(AttributeError, match="prop_cycler"):
        plot_expected_repeat_purchases(fits["BG/NBD"].model)


def test_quirk_stored_likelihood_is_not_the_published_one(fits):
    assert fits["BG/NBD"].model._negative_log_likelihood_ * 2357 != pytest.approx(9582.43, abs=1)


def test_alive_path_replaces_calculate_alive_path(fits, sample):
    path = clv.alive_path(fits["BG/NBD"], sample[sample["customer_id"] == "0001"], end="1998-06-30")
    assert path["date"].iloc[0] == pd.Timestamp("1997-01-01") and path["P(alive)"].iloc[0] == 1.0
    assert path["purchase"].sum() == 4 and len(path) == 546
    between = path[(path["date"] > "1997-08-02") & (path["date"] < "1997-12-12")]["P(alive)"]
    assert (np.diff(between) <= 1e-12).all()  # P(alive) only falls while no purchase comes
    row = summary.customer_summary(sample[sample["customer_id"] == "0001"], "1998-06-30", "W").iloc[0]
    end = clv.probability_alive(fits["BG/NBD"], [row["frequency"]], [row["recency"]], [row["T"]])[0]
    assert path["P(alive)"].iloc[-1] == pytest.approx(end)


def test_alive_corners_read_the_top_row_and_one_purchase(fits):
    m = clv.probability_alive_matrix(fits["BG/NBD"], 12, T=77.9, points=12)
    corners = clv.alive_corners(m)
    assert list(corners.index) == [(12, m.columns[1]), (12, 77.9), (1, m.columns[1]), (1, 77.9)]
    assert (corners["observed for (weeks)"] == 77.9).all()
    assert corners.loc[(1, m.columns[1]), "P(alive)"] == round(m.loc[1, m.columns[1]], 3)
    assert clv.alive_corners(None).empty and clv.alive_corners(m.iloc[:, :1]).empty
    assert clv.alive_corners(m.loc[[0]]).empty


def test_probability_alive_matrix(fits):
    m = clv.probability_alive_matrix(fits["BG/NBD"], 5, T=38.86, points=5)
    assert list(m.index) == [5, 4, 3, 2, 1, 0] and m.shape == (6, 5)
    assert (
        m.loc[[1, 2, 3, 4, 5]].iloc[:, -1] > m.loc[[1, 2, 3, 4, 5]].iloc[:, 0]
    ).all()  # recent = more likely alive
    assert m.loc[0].iloc[-1] == 1.0  # no repeat purchase yet: BG/NBD keeps them alive


# ------------------------------------------------------------------------------------------- CLV
def test_clv_equals_lifetimes_customer_lifetime_value(fits, cal):
    gg = clv.fit_gamma_gamma(cal)
    ours = clv.clv(fits["BG/NBD"], gg, frame=cal, months=12, annual_discount=1.01**12 - 1)
    theirs = gg.customer_lifetime_value(
        fits["BG/NBD"].model,
        cal["frequency"],
        cal["recency"],
        cal["T"],
        cal["monetary_value"],
        time=12,
        discount_rate=0.01,
        freq="W",
    )
    np.testing.assert_allclose(ours.to_numpy(), np.asarray(theirs), rtol=1e-9)
    half = clv.clv(fits["BG/NBD"], gg, frame=cal, margin=0.5, annual_discount=1.01**12 - 1)
    np.testing.assert_allclose(half, ours * 0.5)
    assert clv.clv(fits["BG/NBD"], gg, frame=cal, months=24).sum() > ours.sum()


def test_predicted_value_is_revenue_clv_of_the_named_model(sample):
    tx = sample[sample["date"] <= "1998-06-30"]
    predicted = clv.predicted_value(tx, model="BG/NBD", months=6)
    assert predicted.ok and predicted.note == "" and (predicted.model, predicted.months) == ("BG/NBD", 6)
    frame = summary.customer_summary(tx, None, "W")
    fit, gg = clv.fit_model("BG/NBD", frame), clv.fit_gamma_gamma(frame)
    expected = clv.clv(fit, gg, frame=frame, months=6, margin=1.0, annual_discount=0.10)
    np.testing.assert_allclose(predicted.values.to_numpy(), expected.to_numpy(), rtol=1e-12)
    assert predicted.values.name == "predicted value, 6 months" and predicted.values.notna().all()
    # not past spend: among customers who spent the same, one silent for a year is worth less than one
    # who just bought
    x = frame[frame["frequency"] >= 2]
    recent, gone = x["recency"].idxmax(), (x["recency"] / x["T"]).idxmin()
    assert predicted.values[recent] > predicted.values[gone]


def test_predicted_value_refuses_a_fit_on_a_boundary_and_says_why():
    rows = no_dropout_data(n=200)
    start = pd.Timestamp("2020-01-06")
    tx = []  # every customer buys weekly to the end: no dropout signal
    for i, f in enumerate(rows["frequency"].astype(int)):
        weeks = np.linspace(0, 52, f + 1) if f else [0.0]
        tx += [(f"c{i}", start + pd.Timedelta(weeks=w), 10.0 + i % 7) for w in weeks]
    tx = pd.DataFrame(tx, columns=["customer_id", "date", "amount"])
    predicted = clv.predicted_value(tx, model="BG/NBD")
    assert not predicted.ok and predicted.values is None
    assert predicted.note.startswith("BG/NBD did not fit cleanly (no clean fit")
    once = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "a"],
            "date": pd.to_datetime(["2020-01-01"] * 3 + ["2020-01-01"]),
            "amount": [5.0, 6.0, 7.0, 1.0],
        }
    )
    none = clv.predicted_value(once, model="BG/NBD")
    assert not none.ok and none.values is None and none.note


def test_net_value_summary_and_grouping():
    values = pd.Series([100.0, 50.0, 10.0, 0.0] + [1.0] * 6, index=list("abcdefghij"))
    assert clv.net_value(values, acquisition_cost=5, retention_cost_per_year=12, months=6)["a"] == 89.0
    s = clv.clv_summary(values)
    assert s["total"] == 166 and s["top 10% share of total (%)"] == round(100 * 100 / 166, 1)
    net = clv.net_value_summary(clv.net_value(values, retention_cost_per_year=2.0))
    assert net[clv.NEGATIVE_SHARE] == 70.0 and net["median"] == -1.0 and net.name == "net value"
    assert net.drop(clv.NEGATIVE_SHARE).equals(clv.clv_summary(values - 2.0).rename("net value"))
    by = clv.clv_by(values, pd.Series(["x"] * 5 + ["y"] * 5, index=values.index, name="stage"))
    assert by.loc["x", "total CLV"] == 161 and by["share of total (%)"].sum() == pytest.approx(100, abs=0.1)


def test_spend_independence_and_bootstrap(cal):
    corr = clv.spend_frequency_correlation(cal)
    assert -0.2 < corr < 0.3
    gg = clv.fit_gamma_gamma(cal)
    a = clv.bootstrap_total_clv("BG/NBD", cal, spend=gg, reps=4, seed=1)
    b = clv.bootstrap_total_clv("BG/NBD", cal, spend=gg, reps=4, seed=1)
    assert len(a) == 4 and a.equals(b) and a.std() > 0


def test_published_validation_uses_the_one_comparison_with_a_tolerance_per_figure(sample, split, fits):
    table = clv.published_validation(sample, split, fits)
    assert list(table.columns) == ["published", "reproduced", "difference", "tolerance", "match"]
    assert table.loc["BG/NBD log-likelihood", "tolerance"] == 0.01
    assert table.loc["repeat transactions in the holdout", "tolerance"] == 0


def test_published_validation_table_passes_every_row(sample, split, fits):
    table = clv.published_validation(sample, split, fits)
    assert len(table) == 35 and table["match"].all(), table[~table["match"]]


def test_period_transactions_sum_to_the_customers(cal, fits):
    table = clv.period_transactions(cal, fits)
    groups = table.drop(index=clv.ALL_CUSTOMERS)
    assert groups["actual"].sum() == len(cal) and table.loc["0", "actual"] == 1411
    assert groups["BG/NBD"].sum() == pytest.approx(len(cal), abs=0.5)
    assert table.index[-1] == clv.ALL_CUSTOMERS
    n = len(cal)
    assert table.loc[clv.ALL_CUSTOMERS].to_dict() == {"actual": n, "BG/NBD": n, "MBG/NBD": n}
    assert "Pareto/NBD" not in table  # lifetimes has no P(X(t) = x) for it


# CLVTools (Meierer et al.), Pareto/NBD on the CDNOW sample, 39-week calibration: standard errors
CLVTOOLS_PARETO_SE = {"r": 0.0476, "alpha": 0.8427, "s": 0.1873, "beta": 6.2105}


def test_pareto_nbd_standard_errors_equal_clvtools_published_values(fits, cal):
    se = clv.standard_errors(fits["Pareto/NBD"], cal)
    for k, v in CLVTOOLS_PARETO_SE.items():
        assert se[k] == pytest.approx(v, rel=2e-3), k
    assert clv.standard_errors(fits["Pareto/NBD"]).isna().all()  # lifetimes gives none, and no data given


@pytest.mark.parametrize("name", ["BG/NBD", "MBG/NBD"])
def test_our_hessian_equals_lifetimes_where_lifetimes_has_one(fits, cal, name):
    ours = clv.hessian_standard_errors(name, fits[name].params, cal)
    np.testing.assert_allclose(ours.to_numpy(), clv.standard_errors(fits[name]).to_numpy(), rtol=1e-4)


def test_a_boundary_fit_has_no_hessian_standard_errors():
    frame = no_dropout_data()
    fit = clv.fit_model("BG/NBD", frame)
    assert not fit.ok
    assert clv.hessian_standard_errors("BG/NBD", fit.params, frame).isna().all()
    assert clv.standard_error_table({"BG/NBD": fit}, frame).empty  # left out of the table


def test_standard_errors_and_matrices(fits):
    assert clv.standard_errors(fits["BG/NBD"])["r"] == pytest.approx(0.0126, abs=1e-3)
    m = clv.expected_purchases_matrix(fits["BG/NBD"], 5, T=38.86, horizon=13.0, points=4)
    assert m.shape == (6, 4) and m.loc[5].iloc[-1] > m.loc[1].iloc[-1]


def test_examples_value_at_risk_and_lists(cal, fits):
    examples = clv.example_customers(cal)
    assert cal.loc[examples["one purchase"], "frequency"] == 0
    assert cal.loc[examples["frequent, recent"], "frequency"] >= cal["frequency"].quantile(0.9)
    values = pd.Series(10.0, index=cal.index)
    p = pd.Series(0.25, index=cal.index)
    labels = pd.Series(np.where(cal["frequency"] > 3, "silent", "mature"), index=cal.index)
    risk = clv.value_at_risk(values, p, past_spend=pd.Series(4.0, index=cal.index), labels=labels)
    n = int((cal["frequency"] > 3).sum())
    assert risk.to_dict() == {
        "customers": n,
        "mean P(alive)": 0.25,
        clv.FUTURE_MARGIN: 10.0 * n,  # what they bring with no contact
        clv.CONTACT_CEILING: 30.0 * n,  # value if active 10 / 0.25 = 40, minus the 10 they bring now
        "spend in the last year": 4.0 * n,
    }
    gone = clv.value_at_risk(values, p.where(cal["frequency"] <= 3, 0.0), past_spend=values, labels=labels)
    assert gone[clv.CONTACT_CEILING] == 0.0  # P(alive) 0: nothing the model can value
    potential, warning = clv.potential_and_warning(
        cal.assign(total_spend=1.0), fits["BG/NBD"], values=values, top=5
    )
    assert potential["expected purchases next quarter"].is_monotonic_decreasing and len(potential) == 5
    assert (warning["P(alive)"] < 0.5).all() and warning.attrs["ranked_by"] == "CLV"
    totals = clv.list_totals(potential, warning)
    assert list(totals["customers"]) == [5, len(warning)]
    assert totals["CLV"].iloc[0] == round(potential["CLV"].sum(), 2)
    assert totals["total spend"].iloc[-1] == round(warning["total spend"].sum(), 2)
    assert totals.index[-1] == "warning: highest CLV with P(alive) under 0.5"


def test_the_warning_list_ranks_by_clv_or_by_past_spend(cal, fits):
    """Two customers more likely gone than alive: one who spent much and is worth little now, one who
    spent little and is worth more. Ranked by CLV (the default) the second leads; by past spend the first."""
    frame = cal.iloc[:4].assign(frequency=[5.0, 5.0, 5.0, 5.0], recency=[1.0, 1.0, 38.0, 38.0], T=38.0)
    values = pd.Series([1.0, 9.0, 50.0, 60.0], index=frame.index)
    spend = pd.Series([900.0, 100.0, 10.0, 20.0], index=frame.index)
    p = clv.probability_alive(fits["BG/NBD"], frame["frequency"], frame["recency"], frame["T"])
    assert (p[:2] < 0.5).all() and (p[2:] >= 0.5).all()  # the first two are the warning list's
    framed = frame.assign(total_spend=spend)
    _, by_clv = clv.potential_and_warning(framed, fits["BG/NBD"], values=values, top=1)
    _, by_spend = clv.potential_and_warning(
        framed, fits["BG/NBD"], values=values, top=1, warning_by="total spend"
    )
    assert list(by_clv.index) == [frame.index[1]] and list(by_spend.index) == [frame.index[0]]
    totals = clv.list_totals(by_clv, by_clv, by_spend=by_spend)
    assert list(totals.index[1:]) == [
        "warning: highest CLV with P(alive) under 0.5",
        "for comparison: top past spenders with P(alive) under 0.5",
    ]
    assert totals["CLV"].tolist()[1:] == [9.0, 1.0] and totals["total spend"].tolist()[1:] == [100.0, 900.0]
    with pytest.raises(ValueError, match="warning_by 'recency' is not one of CLV, total spend"):
        clv.potential_and_warning(framed, fits["BG/NBD"], values=values, warning_by="recency")


def interval_table(mae, low, errors=(-5.0, 1.0, 50.0)):
    """A holdout comparison of models A, B and a baseline with the bootstrap interval columns of
    clv.holdout_comparison (MAE minus the lowest, 90% low, 90% high)."""
    mae = list(mae)
    lowest = min(mae[:2])
    return pd.DataFrame(
        {
            "total error (%)": list(errors),
            "MAE": mae,
            "MAE minus lowest": [m - lowest for m in mae],
            "90% low": list(low),
            "90% high": [lo + 0.02 for lo in low],
        },
        index=["A", "B", "baseline: x"],
    )


def test_best_model_and_headline(split, fits):
    comparison = interval_table([0.60, 0.60, 0.9], [0.0, -0.01, 0.2])
    assert clv.best_model(comparison) == "B"  # indistinguishable on MAE: the smaller error on the total
    validation = compare({"x": 1.0}, {"x": 1.0}, tolerance=0.1)
    facts = clv.headline_figures(
        validation,
        comparison.assign(**{"actual total": 1}),
        best="B",
        clv_facts=pd.Series({"total": 10.0, "mean": 1.0, "top 10% share of total (%)": 50.0}),
        interval=(8.0, 12.0),
        at_risk=pd.Series({clv.FUTURE_MARGIN: 3.0}),
    )
    assert facts["published figures reproduced"] == "1 of 1" and (
        facts["total CLV 90% lower"],
        facts["total CLV 90% upper"],
    ) == (8.0, 12.0)
    assert facts["silent customers' predicted future margin"] == 3.0


def test_small_helpers(fits, cal):
    table = clv.standard_error_table(fits)
    assert table.loc[("BG/NBD", "r"), "standard error"] == pytest.approx(0.0126, abs=1e-3)
    assert np.isnan(table.loc[("Pareto/NBD", "s"), "standard error"])
    row = table.loc[("BG/NBD", "b")]
    se_pct = 100 * clv.standard_errors(fits["BG/NBD"])["b"] / fits["BG/NBD"].params["b"]
    assert row["standard error (% of estimate)"] == round(se_pct, 1)
    assert np.isnan(table.loc[("Pareto/NBD", "s"), "standard error (% of estimate)"])
    with_data = clv.standard_error_table(fits, cal)
    assert with_data.loc[("Pareto/NBD", "s"), "standard error"] == pytest.approx(0.1873, abs=1e-3)
    assert clv.interval(pd.Series(np.arange(101.0))) == pytest.approx((5.0, 95.0))
    p = clv.alive(fits["BG/NBD"], cal)
    assert p.index.equals(cal.index) and p.between(0, 1).all()
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "date": pd.to_datetime(["2022-12-31", "2023-12-01", "2022-01-01"]),
            "amount": [5.0, 7.0, 3.0],
        }
    )
    assert clv.recent_spend(tx, "2023-12-31").to_dict() == {"a": 7.0, "b": 0.0}


def test_a_model_on_a_boundary_is_never_the_model_to_trust():
    comparison = interval_table([0.50, 0.60, 0.9], [0.0, 0.05, 0.3])
    clean = clv.FitResult("B", object(), pd.Series({"r": 1.0}), -1.0, True, [], "plain maximum likelihood")
    edge = clv.FitResult("A", object(), pd.Series({"r": 1e-9}), -1.0, False, [], "on a boundary")
    assert clv.best_model(comparison) == "A"  # without the fits: the lowest MAE
    assert clv.best_model(comparison, {"A": edge, "B": clean}) == "B"
    assert clv.best_model(comparison, {"A": edge, "B": edge}) is None
    none_fitted = comparison.assign(MAE=[np.inf, np.nan, 0.9])
    assert clv.best_model(none_fitted) is None


def test_the_trust_check_blocks_the_clv_sections_when_no_model_fitted_cleanly():
    from lifecycle_utils import sufficiency

    edge = clv.FitResult("BG/NBD", object(), pd.Series({"r": 1e-9}), -1.0, False, [], "on a boundary")
    check = clv.trust_check({"BG/NBD": edge}, None)
    assert check["analysis"] == "CLV values" and not check["ok"] and "BG/NBD: on a boundary" in check["found"]
    tx = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(40)] * 2,
            "date": pd.to_datetime(["2023-01-01"] * 40 + ["2023-03-01"] * 40),
            "amount": 1.0,
        }
    )
    verdict = sufficiency.assess_transactions(tx, "2023-12-31").with_check(**check)
    assert not verdict.ok("CLV values") and "converged with no parameter on a boundary" in verdict.note(
        "CLV values"
    )


def test_example_customers_leave_out_a_kind_nobody_belongs_to():
    frame = pd.DataFrame(
        {"frequency": [3, 5, 4], "recency": [10.0, 2.0, 9.0], "T": [10.0, 10.0, 10.0]},
        index=pd.Index(["a", "b", "c"], name="customer_id"),
    )
    examples = clv.example_customers(frame)
    assert "one purchase" not in examples and examples["frequent, recent"] == "b"


def test_fitted_names_the_models_that_produced_a_fit():
    ok = clv.FitResult("A", object(), pd.Series(dtype=float), -1.0, True)
    failed = clv.FitResult("B", None, pd.Series(dtype=float), float("nan"), False)
    edge = clv.FitResult("C", object(), pd.Series(dtype=float), -1.0, False)
    assert clv.fitted({"A": ok, "B": failed, "C": edge}) == ["A"]


def test_the_model_to_use_is_the_parameter_then_notebook_04s_choice_then_the_default():
    assert clv.model_to_use("BG/NBD", "MBG/NBD") == ("BG/NBD", "parameter")
    assert clv.model_to_use(None, "MBG/NBD") == ("MBG/NBD", "notebook 04")
    assert clv.model_to_use(None, None) == (clv.DEFAULT_MODEL, "default")  # 04 not run, or nothing trusted
    with pytest.raises(ValueError, match="CLV_MODEL 'Gompertz' is not one of BG/NBD"):
        clv.model_to_use("Gompertz", None)
    assert clv.model_to_use(None, clv.NBD) == (clv.NBD, "notebook 04")  # the fallback notebook 04 named


@pytest.mark.parametrize("low, tied", [(-0.001, True), (0.0, True), (0.001, False)])
def test_a_model_whose_interval_of_mae_minus_the_lowest_includes_0_is_indistinguishable(low, tied):
    """The rule: B's paired bootstrap interval of MAE minus A's includes 0 (its low end at most 0): the
    holdout cannot tell them apart, and the smaller error on the total decides; above 0 the lower MAE."""
    comparison = interval_table([0.50, 0.51, 0.9], [0.0, low, 0.3], errors=(-20.0, 5.0, 50.0))
    assert clv.indistinguishable(comparison) == (["A", "B"] if tied else ["A"])
    assert clv.best_model(comparison) == ("B" if tied else "A")
    clean = clv.FitResult("A", object(), pd.Series({"r": 1.0}), -1.0, True)
    edge = clv.FitResult("B", object(), pd.Series({"r": 1e-9}), -1.0, False)
    assert clv.indistinguishable(comparison, {"A": clean, "B": edge}) == ["A"]  # a boundary fit never ties
    assert clv.indistinguishable(comparison, {"A": edge, "B": edge}) == []
    # without the bootstrap columns only the lowest MAE is the model's
    assert clv.indistinguishable(comparison[["total error (%)", "MAE"]]) == ["A"]


def test_the_paired_bootstrap_of_mae_differences_has_the_known_answers():
    rng = np.random.default_rng(0)
    base = rng.exponential(1.0, 20_000)
    # a constant difference: every resample gives it exactly
    exact = clv.paired_mae_bootstrap({"A": base, "B": base + 0.1}, reference="A", reps=200, seed=1)
    assert exact.loc["A"].tolist() == [0.0, 0.0, 0.0]
    assert exact.loc["B"].tolist() == pytest.approx([0.1, 0.1, 0.1])
    # differences with mean 0.05 and sd 1: the 90% interval is 0.05 -+ 1.645 / sqrt(n), paired, so the
    # large shared part (base) cancels
    noisy = base + 0.05 + rng.normal(0, 1, base.size)
    table = clv.paired_mae_bootstrap({"A": base, "B": noisy}, reference="A", reps=2000, seed=1)
    d = noisy - base
    half = 1.645 * d.std() / np.sqrt(d.size)
    assert table.loc["B", "MAE minus lowest"] == pytest.approx(d.mean())
    assert table.loc["B", "90% low"] == pytest.approx(d.mean() - half, abs=0.15 * half)
    assert table.loc["B", "90% high"] == pytest.approx(d.mean() + half, abs=0.15 * half)
    again = clv.paired_mae_bootstrap({"A": base, "B": noisy}, reference="A", reps=2000, seed=1)
    pd.testing.assert_frame_equal(table, again)  # seeded
    assert list(clv.paired_mae_bootstrap({"A": base}, reference="A", level=0.8).columns) == [
        "MAE minus lowest",
        "80% low",
        "80% high",
    ]


def test_the_holdout_comparison_carries_the_intervals_against_the_lowest_model(split, fits):
    table = clv.holdout_comparison(split, fits, reps=300, seed=0)
    assert table.attrs["reps"] == 300
    models = table.loc[["BG/NBD", "Pareto/NBD", "MBG/NBD"]]
    lowest = models["MAE"].astype(float).idxmin()
    assert table.loc[lowest, ["MAE minus lowest", "90% low", "90% high"]].tolist() == [0.0, 0.0, 0.0]
    inside = (table["90% low"] <= table["MAE minus lowest"]) & (
        table["MAE minus lowest"] <= table["90% high"]
    )
    assert inside.all()
    # the difference is the difference of the MAEs (both rounded to 0.001)
    assert (table["MAE minus lowest"] - (table["MAE"] - table.loc[lowest, "MAE"])).abs().max() <= 0.0011
    assert table.loc["baseline: average", "90% low"] > 0  # the average baseline is clearly worse


def test_percent_errors_of_group_means():
    table = pd.DataFrame(
        {"customers": [3, 4], "actual": [2.0, 0.0], "M": [1.5, 1.0]}, index=pd.Index(["0", "1"], name="x")
    )
    errors = clv.percent_errors(table)
    assert list(errors.columns) == ["M vs actual (%)"]
    assert errors.loc["0", "M vs actual (%)"] == -25.0 and np.isnan(errors.loc["1", "M vs actual (%)"])


def test_the_headline_figures_record_the_horizon_the_choice_and_the_silent_customers():
    comparison = interval_table([0.60, 0.60, 0.9], [0.0, -0.01, 0.2]).assign(**{"actual total": 1})
    fitted = clv.FitResult("A", object(), pd.Series({"r": 1.0}), -1.0, True)
    facts = clv.headline_figures(
        compare({"x": 1.0}, {"x": 1.0}, tolerance=0.1),
        comparison,
        best="B",
        clv_facts=pd.Series({"total": 10.0, "mean": 1.0, "median": 0.5, "top 10% share of total (%)": 50.0}),
        interval=(8.0, 11.0),
        at_risk=pd.Series(
            {"customers": 4, "mean P(alive)": 0.4, clv.FUTURE_MARGIN: 2.0, "spend in the last year": 9.0},
            name="silent",
        ),
        fits={"A": fitted, "B": fitted},
        spend_corr=pd.DataFrame({"correlation": [0.123, 0.456], "repeat customers": 5}),
        months=6,
        margin=0.25,
        annual_discount=0.08,
        revenue=pd.DataFrame({"total error (%)": [-15.8]}, index=["B"]),
        bootstrap=clv.ClvBootstrap(
            totals=pd.Series([8.0, 11.0]),
            draws=np.zeros((2, 1)),
            customers=pd.Index(["c"]),
            estimate=10.0,
            reps=3,
            failed=1,
        ),
    )
    assert facts["model trusted"] == "B" and facts["models indistinguishable on holdout MAE"] == "A, B"
    assert facts["best baseline holdout MAE"] == 0.9 and facts["lowest model holdout MAE"] == 0.6
    assert facts["best baseline MAE minus the lowest model's, 90% low"] == 0.2
    assert facts["no dropout in the data (every model on a boundary)"] == "no"
    assert facts["B holdout revenue error (%)"] == -15.8
    assert facts[clv.IMPLIED_TOTAL] == 12  # 10 / (1 - 0.158) = 11.88, to the dollar
    assert facts["CLV bootstrap resamples refitted"] == 2 and facts["total CLV inside its interval"] == "yes"
    assert facts["spend-frequency rank correlation"] == 0.456
    assert (facts["CLV horizon (months)"], facts["margin (%)"], facts["annual discount (%)"]) == (
        6,
        25.0,
        8.0,
    )
    assert (
        facts["total CLV 90% interval within ± (%)"] == 20.0 and facts["spend-frequency correlation"] == 0.123
    )
    assert facts["silent customers"] == 4 and facts["silent customers' predicted future margin"] == 2.0
    assert (
        facts["silent customers' mean P(alive)"] == 0.4 and facts["silent customers' last-year spend"] == 9.0
    )
    nan_interval = clv.headline_figures(
        compare({"x": 1.0}, {"x": 1.0}),
        comparison,
        best="B",
        clv_facts=pd.Series({"total": 10.0, "mean": 1.0, "top 10% share of total (%)": 50.0}),
        interval=(float("nan"), float("nan")),
    )
    assert nan_interval["total CLV 90% lower"] is None and nan_interval["total CLV 90% upper"] is None
    assert nan_interval["total CLV 90% interval within ± (%)"] is None
    assert "silent customers" not in nan_interval and "CLV horizon (months)" not in nan_interval
    assert clv.IMPLIED_TOTAL not in nan_interval  # no revenue check, no implied total


def test_the_top_share_of_a_total_that_is_not_positive_is_not_a_share():
    assert np.isnan(clv.clv_summary(pd.Series([3.0, -5.0, -1.0]))["top 10% share of total (%)"])
    assert np.isnan(clv.clv_summary(pd.Series([0.0, 0.0]))["top 10% share of total (%)"])
    assert clv.clv_summary(pd.Series([3.0, 1.0] + [0.0] * 8))["top 10% share of total (%)"] == 75.0


# ------------------------------------------------------------------- no dropout: reported, and the fallback
def no_dropout_rates(n=400, seed=0, r=0.5, alpha=2.0):
    """Customers who never leave, with purchase rates spread as Gamma(r, alpha) per week: the NBD model
    is the truth; each customer's last purchase is the last of a Poisson process up to their age T."""
    rng = np.random.default_rng(seed)
    T = rng.uniform(30, 60, n).round(1)
    f = rng.poisson(rng.gamma(r, 1 / alpha, n) * T).astype(float)
    last = T * rng.beta(np.maximum(f, 1), 1)  # the largest of f uniform times on (0, T)
    return pd.DataFrame({"frequency": f, "recency": np.where(f > 0, last, 0.0).round(1), "T": T})


def test_a_boundary_fit_records_where_maximum_likelihood_put_the_dropout():
    fit = clv.fit_model("BG/NBD", no_dropout_data())
    assert not fit.ok and fit.mle_boundary and fit.dropout_at_zero
    report = clv.fit_report({"BG/NBD": fit})
    assert report.loc["BG/NBD", "maximum likelihood"].startswith("on a boundary (") and report.loc[
        "BG/NBD", "maximum likelihood"
    ].endswith("): no dropout")
    for edge, zero in [({"a": 1e-9}, True), ({"b": 2e5}, True), ({"s": 1e-7}, True), ({"beta": 1e9}, True)]:
        assert clv.FitResult("M", None, pd.Series(dtype=float), 0.0, False, mle_boundary=edge).dropout_at_zero
    # a boundary elsewhere (the purchase rates' spread) is no evidence about dropout
    assert not clv.FitResult(
        "M", None, pd.Series(dtype=float), 0.0, False, mle_boundary={"r": 2e5}
    ).dropout_at_zero


def test_the_nbd_model_recovers_its_parameters_and_predicts_in_closed_form():
    frame = no_dropout_rates(n=4000, seed=1)
    fit = clv.fit_model(clv.NBD, frame)
    assert fit.ok and fit.note == "plain maximum likelihood"
    se = clv.standard_errors(fit, frame)
    assert abs(fit.params["r"] - 0.5) < 3 * se["r"] and abs(fit.params["alpha"] - 2.0) < 3 * se["alpha"]
    r, alpha = fit.params["r"], fit.params["alpha"]
    e = clv.expected_purchases(fit, 10.0, frequency=[0.0, 4.0], recency=[0.0, 30.0], T=[40.0, 40.0])
    np.testing.assert_allclose(e, [r / (alpha + 40) * 10, (r + 4) / (alpha + 40) * 10])
    assert clv.probability_alive(fit, [0.0, 9.0], [0.0, 1.0], [40.0, 40.0]).tolist() == [1.0, 1.0]
    from scipy import stats

    pmf = stats.nbinom(r, alpha / (alpha + 13.0))
    assert fit.model.probability_of_n_purchases_up_to_time(13.0, 2) == pytest.approx(pmf.pmf(2))
    assert fit.model.expected_number_of_purchases_up_to_time(13.0) == pytest.approx(pmf.mean())
    # the limit of BG/NBD as a -> 0: the same likelihood
    data = clv.compress(frame)
    nbd = clv.total_negative_log_likelihood(clv.NBD, np.log([r, alpha]), data)
    bg = clv.total_negative_log_likelihood("BG/NBD", np.log([r, alpha, 1e-12, 1.0]), data)
    assert bg == pytest.approx(nbd, rel=1e-9)


def test_no_dropout_replaces_every_dropout_model_with_the_named_nbd_fallback():
    """Data without dropout (known truth: NBD with r 0.5, alpha 2): every dropout model puts its dropout
    at 0, so none may value the customers; the NBD fallback is added, fits, and recovers r."""
    frame = no_dropout_rates()
    fits = clv.fit_models(frame)  # Pareto/NBD stops on its no-dropout edge (tests/test_fit_speed.py)
    assert all(not fit.ok and fit.dropout_at_zero for fit in fits.values())
    assert clv.no_dropout(fits)
    fits |= clv.fallback_fits(fits, frame)
    assert clv.fitted(fits) == [clv.NBD] and clv.no_dropout(fits)
    assert clv.fit_report(fits)["fitted"].to_dict() == {
        "BG/NBD": "on a boundary",
        "Pareto/NBD": "on a boundary",
        "MBG/NBD": "on a boundary",
        clv.NBD: "yes",
    }
    assert fits[clv.NBD].params["r"] == pytest.approx(0.5, abs=0.15)
    comparison = clv.holdout_comparison(_split_of(frame), fits, reps=10)
    assert clv.best_model(comparison, fits) == clv.NBD


def test_a_dropout_model_inside_its_bounds_that_sees_no_dropout_is_marked_and_replaced():
    """Pareto/NBD converged inside its bounds with a lifetime of centuries (under 1% gone by the median
    age), beside a BG/NBD whose dropout went to 0: neither is used; Pareto/NBD is marked, not dropped."""
    frame = no_dropout_rates(n=300, seed=4)
    params = pd.Series({"r": 0.5, "alpha": 2.0, "s": 0.4, "beta": 6000.0})
    inside = clv.FitResult("Pareto/NBD", object(), params, -1.0, True, [], "plain maximum likelihood")
    edge = clv.FitResult("BG/NBD", object(), pd.Series({"a": 1e-9}), -1.0, False, mle_boundary={"a": 1e-9})
    fits = {"BG/NBD": edge, "Pareto/NBD": inside}
    assert not clv.no_dropout(fits) and clv.no_dropout(fits, frame)  # Pareto/NBD is judged on the data
    extra = clv.fallback_fits(fits, frame)
    assert set(extra) == {"Pareto/NBD", clv.NBD} and extra[clv.NBD].ok
    marked = extra["Pareto/NBD"]
    assert not marked.ok and marked.no_dropout and marked.note.endswith("under 1%: no dropout")
    report = clv.fit_report(fits | extra)
    assert report.loc["Pareto/NBD", "fitted"] == "no dropout"
    assert report.loc["Pareto/NBD", "maximum likelihood"] == marked.note
    # with a real dropout (CDNOW-like parameters) nothing is replaced
    real = clv.FitResult(
        "Pareto/NBD", object(), pd.Series({"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}), -1.0, True
    )
    assert clv.fallback_fits({"Pareto/NBD": real}, frame) == {}


def test_with_no_spread_of_rates_even_the_fallback_is_on_a_boundary_and_nothing_is_valued():
    frame = no_dropout_data()  # every customer buys at the same rate: NBD's r goes to infinity
    fits = clv.fit_models(frame, names=("BG/NBD", "MBG/NBD"))
    assert not any(fit.ok for fit in fits.values()) and clv.no_dropout(fits, frame)
    fits |= clv.fallback_fits(fits, frame)
    assert not fits[clv.NBD].ok and clv.fitted(fits) == []
    assert clv.best_model(clv.holdout_comparison(_split_of(frame), fits, reps=10), fits) is None


def _split_of(frame):
    """A calibration/holdout split of a summary frame: the same customers, one purchase each after."""
    return pd.DataFrame(
        {
            "frequency_cal": frame["frequency"],
            "recency_cal": frame["recency"],
            "T_cal": frame["T"],
            "frequency_holdout": 1.0,
            "duration_holdout": 10.0,
        }
    )


@pytest.mark.parametrize("share, none", [(0.0099, True), (0.01, False), (0.0101, False)])
def test_a_fit_inside_its_bounds_sees_no_dropout_under_one_percent_gone(share, none):
    """Pareto/NBD implies 1 - (beta / (beta + t))^s gone by age t: set s so that share is gone by the
    median age of 10."""
    beta = 100.0
    s = np.log(1 - share) / np.log(beta / (beta + 10.0))
    fit = clv.FitResult(
        "Pareto/NBD", object(), pd.Series({"r": 1.0, "alpha": 1.0, "s": s, "beta": beta}), 0, True
    )
    assert clv.implied_dropout(fit, 10.0) == pytest.approx(share)
    assert clv.sees_no_dropout(fit, pd.DataFrame({"T": [5.0, 10.0, 15.0]})) is none


def test_implied_dropout_of_bg_and_mbg_nbd_by_simulation(fits):
    """The share gone by age t, against a simulation of the BG/NBD and MBG/NBD stories with the fitted
    parameters: Gamma rates, Beta dropout probabilities, death after a purchase (MBG/NBD: also at 0)."""
    rng = np.random.default_rng(0)
    for name in ("BG/NBD", "MBG/NBD"):
        r, alpha, a, b = (fits[name].params[k] for k in ("r", "alpha", "a", "b"))
        lam, p = rng.gamma(r, 1 / alpha, 400_000), rng.beta(a, b, 400_000)
        purchases = rng.poisson(lam * 39.0)
        survive = (1 - p) ** (purchases + (name == "MBG/NBD"))
        assert clv.implied_dropout(fits[name], 39.0) == pytest.approx(1 - survive.mean(), abs=3e-3)
    assert clv.implied_dropout(clv.FitResult("M", None, pd.Series(dtype=float), 0.0, False), 1.0) != 0


# ------------------------------------------------------------------------------ CLV: paths, grid, spend
@pytest.mark.parametrize("name", ["Pareto/NBD", "BG/NBD"])
def test_the_purchase_path_equals_expected_purchases_at_each_time(fits, cal, name):
    times = [4.345, 13.0, 52.14]
    path = clv.expected_purchases_path(
        fits[name], times, frequency=cal["frequency"], recency=cal["recency"], T=cal["T"]
    )
    for k, t in enumerate(times):
        each = clv.expected_purchases(
            fits[name], t, frequency=cal["frequency"], recency=cal["recency"], T=cal["T"]
        )
        np.testing.assert_allclose(path[:, k], each, rtol=1e-9)


def test_the_sensitivity_grid_holds_total_clv_at_each_margin_and_discount(fits, cal):
    gg = clv.fit_gamma_gamma(cal)
    grid = clv.clv_sensitivity(
        fits["Pareto/NBD"], gg, frame=cal, months=6, margins=(0.2, 0.4), annual_discounts=(0.0, 0.1)
    )
    assert (
        list(grid.index) == [20.0, 40.0] and list(grid.columns) == [0.0, 10.0] and grid.attrs["months"] == 6
    )
    for m in (0.2, 0.4):
        for d in (0.0, 0.1):
            total = clv.clv(fits["Pareto/NBD"], gg, frame=cal, months=6, margin=m, annual_discount=d).sum()
            assert grid.loc[100 * m, 100 * d] == round(total)
    assert grid.loc[40.0, 0.0] == pytest.approx(2 * grid.loc[20.0, 0.0], abs=1)  # proportional to the margin
    assert (grid[0.0] > grid[10.0]).all()  # discounting lowers it


def test_spend_and_frequency_correlations_pearson_and_spearman():
    frame = pd.DataFrame({"frequency": [1, 2, 3, 4, 5, 0], "monetary_value": [1.0, 2, 3, 4, 100, 0]})
    table = clv.spend_frequency_table(frame)
    assert list(table.index) == ["Pearson", "Spearman (ranks)"] and table["repeat customers"].iloc[0] == 5
    assert table.loc["Spearman (ranks)", "correlation"] == 1.0  # monotone
    pearson = np.corrcoef([1, 2, 3, 4, 5], [1, 2, 3, 4, 100])[0, 1]
    assert table.loc["Pearson", "correlation"] == round(pearson, 3) and pearson < 0.8
    assert clv.spend_frequency_correlation(frame) == pytest.approx(pearson)
    assert np.isnan(clv.spend_frequency_correlation(frame.iloc[:2], "spearman"))  # two repeat customers
    # the p-values are scipy's tests of no correlation; Spearman's for a perfectly monotone set is 0
    from scipy.stats import pearsonr

    assert table.loc["Pearson", "p-value"] == pytest.approx(
        pearsonr([1, 2, 3, 4, 5], [1, 2, 3, 4, 100]).pvalue
    )
    assert table.loc["Spearman (ranks)", "p-value"] < 1e-6
    assert clv.spend_frequency_table(frame.iloc[:2])["p-value"].isna().all()


def test_validation_figures_say_whether_the_data_showed_no_dropout():
    validation = compare({"x": 1.0}, {"x": 1.0}, tolerance=0.1)
    assert clv.validation_figures(validation) == {"published CDNOW figures reproduced": "1 of 1"}
    edge = clv.FitResult("BG/NBD", object(), pd.Series({"a": 1e-9}), -1.0, False, mle_boundary={"a": 1e-9})
    figures = clv.validation_figures(validation, {"BG/NBD": edge})
    assert figures["no dropout in the data (every model on a boundary)"] == "yes"


# ----------------------------------------------------------------------------- refits and the bootstrap
def test_a_refit_with_every_weight_one_returns_the_fit_and_newton_equals_the_search(cal, fits):
    data = clv.compress(cal)
    for name in ("Pareto/NBD", "BG/NBD"):
        fit = clv.fit_model(name, data)
        objective = clv.weighted_objective(name, data)
        hessian = clv.log_hessian(lambda x: objective(x, data["weight"]), np.log(fit.params.to_numpy(float)))
        same = clv.refit(fit, data, data["weight"], objective=objective, hessian=hessian)
        assert same.ok and np.allclose(same.params, fit.params, rtol=1e-4)
        weights = np.random.default_rng(0).poisson(data["weight"])
        newton = clv.refit(fit, data, weights, objective=objective, hessian=hessian)
        search = clv.refit(fit, data, weights)
        full = clv.fit_model(name, data.assign(weight=weights)[weights > 0])
        assert newton.ok and search.ok
        np.testing.assert_allclose(newton.params, full.params, rtol=2e-4)
        np.testing.assert_allclose(search.params, full.params, rtol=2e-4)


def test_the_spend_refit_equals_lifetimes_weighted_fit(cal):
    from lifecycle_utils._lifetimes import GammaGammaFitter

    gg = clv.fit_gamma_gamma(cal)
    same = clv.refit_spend(gg, cal["frequency"], cal["monetary_value"], np.ones(len(cal)))
    np.testing.assert_allclose(same.params_, gg.params_, rtol=1e-4)
    weights = np.random.default_rng(2).poisson(1.0, len(cal)).astype(float)
    ours = clv.refit_spend(gg, cal["frequency"], cal["monetary_value"], weights)
    keep = (cal["frequency"] > 0) & (cal["monetary_value"] > 0) & (weights > 0)
    theirs = GammaGammaFitter().fit(
        cal["frequency"][keep], cal["monetary_value"][keep], weights=weights[keep]
    )
    np.testing.assert_allclose(ours.params_, theirs.params_, rtol=1e-3)
    assert gg.params_["p"] == same.params_["p"] or same is not gg  # a copy, the fitted model untouched
    assert clv.refit_spend(gg, cal["frequency"], cal["monetary_value"], np.zeros(len(cal))) is None


def test_the_bootstrap_refits_both_models_on_each_resample(cal, fits):
    """Known answer: each resample's parameters are those of full fits (clv.fit_model and lifetimes'
    GammaGammaFitter with weights) on the customers that resample drew (resample b draws
    rng.integers(0, n, n) from numpy's default_rng(seed), one draw per resample)."""
    from lifecycle_utils._lifetimes import GammaGammaFitter

    gg = clv.fit_gamma_gamma(cal)
    boot = clv.bootstrap_clv(fits["Pareto/NBD"], cal, spend=gg, reps=40, seed=3, months=6, margin=0.3)
    assert boot.refits + boot.failed == 40 and boot.failed == 0
    rng, n = np.random.default_rng(3), len(cal)
    for b in range(3):
        w = np.bincount(rng.integers(0, n, n), minlength=n)
        drawn = cal.loc[cal.index.repeat(w)]
        full = clv.fit_model("Pareto/NBD", drawn)
        np.testing.assert_allclose(boot.params.loc[b, ["r", "alpha", "s", "beta"]], full.params, rtol=1e-3)
        rep = drawn[(drawn["frequency"] > 0) & (drawn["monetary_value"] > 0)]
        spend = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
        np.testing.assert_allclose(boot.params.loc[b, ["p", "q", "v"]], spend.params_, rtol=1e-3)
    # the spread is of the order of the Hessian standard errors (CLVTools' for Pareto/NBD on this sample)
    assert 0.5 < boot.params["s"].std() / CLVTOOLS_PARETO_SE["s"] < 2
    assert boot.draws.shape == (40, len(cal))
    np.testing.assert_allclose(boot.totals, boot.draws.sum(axis=1))
    point = clv.clv(fits["Pareto/NBD"], gg, frame=cal, months=6, margin=0.3)
    assert boot.estimate == pytest.approx(point.sum()) and boot.contains_estimate
    table = boot.table()
    assert (
        table.loc["total CLV", "resamples refitted"] == 40
        and table.loc["total CLV", "estimate inside"] == "yes"
    )
    again = clv.bootstrap_clv(fits["Pareto/NBD"], cal, spend=gg, reps=5, seed=3, months=6, margin=0.3)
    np.testing.assert_allclose(again.totals, boot.totals[:5])  # seeded: the same first resamples
    totals = clv.bootstrap_total_clv("Pareto/NBD", cal, spend=gg, reps=5, seed=3, months=6, margin=0.3)
    np.testing.assert_allclose(totals, again.totals, rtol=1e-6)


def test_customer_intervals_are_the_quantiles_of_each_customers_draws():
    draws = np.column_stack([np.arange(101.0), 10 + np.arange(101.0), np.zeros(101)])
    boot = clv.ClvBootstrap(
        totals=pd.Series(draws.sum(axis=1)),
        draws=draws,
        customers=pd.Index(["a", "b", "c"]),
        estimate=160.0,
        reps=101,
        failed=0,
    )
    values = pd.Series([50.0, 60.0, 0.0], index=["a", "b", "c"])
    table = clv.customer_intervals(boot, values, examples={"one purchase": "c", "again": "b"}, top=2)
    assert list(table.index) == ["b", "a", "c"] and list(table["shown as"]) == [
        "top 1 by CLV",
        "top 2 by CLV",
        "one purchase",
    ]
    assert table.loc["a", ["90% low", "90% high"]].tolist() == [5.0, 95.0]
    assert table.loc["b", "reach (± % of CLV)"] == round(100 * 45 / 60, 1)
    assert np.isnan(table.loc["c", "reach (± % of CLV)"])  # a CLV of 0 has no relative reach
    empty = clv.ClvBootstrap(pd.Series(dtype=float), np.empty((0, 3)), pd.Index(["a", "b", "c"]), 1.0, 5, 5)
    assert clv.customer_intervals(empty, values).empty and empty.interval() != empty.interval()  # NaN
    assert empty.contains_estimate is None
