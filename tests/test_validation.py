from lifecycle_utils.validation import compare


def test_compare_computes_the_verdict_with_an_absolute_tolerance():
    table = compare({"a": 1.0, "b": 2.0, "c": "x", "d": 3}, {"a": 1.004, "b": 2.5, "c": "x"}, tolerance=0.005)
    assert table["match"].tolist() == [True, False, True, False]
    assert table.loc["d", "reproduced"] is None
    assert table.loc["b", "difference"] == 0.5


def test_compare_takes_a_tolerance_per_figure_and_zero_for_the_others():
    table = compare({"a": 1.0, "b": 2.0}, {"a": 1.2, "b": 2.2}, tolerance={"a": 0.25})
    assert table["match"].tolist() == [True, False]
    assert table["tolerance"].tolist() == [0.25, 0.0]


def test_a_relative_tolerance_scales_with_the_published_value_and_the_larger_one_applies():
    table = compare(
        {"big": 1000.0, "small": 1.0}, {"big": 1009.0, "small": 1.02}, tolerance=0.05, rel_tol=0.01
    )
    assert table["tolerance"].tolist() == [10.0, 0.05]
    assert table["match"].tolist() == [True, True]


def test_a_text_matches_only_when_equal_and_has_no_difference():
    table = compare({"first date": "1997-01-01"}, {"first date": "1997-01-02"})
    assert not table.loc["first date", "match"]
    assert table["difference"].isna().all()


def test_numpy_numbers_are_compared_as_numbers():
    import numpy as np

    table = compare({"customers": 2357}, {"customers": np.int64(2357)})
    assert table.loc["customers", "match"] and table.loc["customers", "difference"] == 0


def test_the_published_check_is_for_the_cdnow_master_file_only():
    from lifecycle_utils.validation import CDNOW_MASTER, published_check

    assert published_check("cdnow", dict(CDNOW_MASTER))["match"].all()
    assert published_check("orders.csv", dict(CDNOW_MASTER)) is None
    assert published_check("cdnow_sample", dict(CDNOW_MASTER)) is None
