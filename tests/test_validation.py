from lifecycle_utils.validation import compare


def test_compare_computes_the_verdict_with_tolerance():
    table = compare({"a": 1.0, "b": 2.0, "c": "x", "d": 3}, {"a": 1.004, "b": 2.5, "c": "x"}, abs_tol=0.005)
    assert table["match"].tolist() == [True, False, True, False]
    assert table.loc[3, "reproduced"] is None
