"""The metrics, exactly, on predictions made by hand."""

from __future__ import annotations

from datetime import date

import pytest

from recoup.evaluation.scoring import (
    Tally,
    classify,
    latency,
    precision_recall,
    ratio,
    tally,
    within,
)

PAIRS = [  # (expected, predicted)
    ("pay_now", "pay_now"),
    ("pay_now", "pay_now"),
    ("pay_now", "other"),
    ("dispute", "dispute"),
    ("dispute", "cancel"),
    ("other", "other"),
]


def test_per_label_accuracy_is_the_share_of_each_expected_label_read_right() -> None:
    scores = classify(PAIRS, order=["pay_now", "dispute", "cancel", "other"])
    assert scores.per_label == {
        "pay_now": Tally(3, 2),
        "dispute": Tally(2, 1),
        "other": Tally(1, 1),
    }
    assert scores.per_label["pay_now"].accuracy == pytest.approx(2 / 3)
    assert "cancel" not in scores.per_label  # never expected: no accuracy to speak of
    assert scores.overall == Tally(6, 4)
    assert scores.overall.accuracy == pytest.approx(4 / 6)


def test_confusion_matrix_counts_expected_by_predicted_in_the_given_order() -> None:
    scores = classify(PAIRS, order=["pay_now", "dispute", "cancel", "other"])
    assert scores.labels == ("pay_now", "dispute", "cancel", "other")
    assert scores.confusion == {
        "pay_now": {"pay_now": 2, "dispute": 0, "cancel": 0, "other": 1},
        "dispute": {"pay_now": 0, "dispute": 1, "cancel": 1, "other": 0},
        "cancel": {"pay_now": 0, "dispute": 0, "cancel": 0, "other": 0},
        "other": {"pay_now": 0, "dispute": 0, "cancel": 0, "other": 1},
    }


def test_labels_outside_the_order_come_after_it_alphabetically_and_repeats_once() -> None:
    scores = classify([("yes", "zebra"), ("no", "apple")], order=["yes", "no", "yes"])
    assert scores.labels == ("yes", "no", "apple", "zebra")


def test_nothing_to_score_gives_undefined_rates_not_zero() -> None:
    scores = classify([])
    assert scores.labels == ()
    assert scores.overall == Tally(0, 0)
    assert scores.overall.accuracy is None
    assert ratio(0, 0) is None


def test_precision_and_recall_count_flags() -> None:
    pr = precision_recall([(True, True), (True, False), (False, True), (False, False)] * 2)
    assert (pr.tp, pr.fp, pr.fn, pr.tn) == (2, 2, 2, 2)
    assert pr.precision == 0.5
    assert pr.recall == 0.5


def test_precision_is_undefined_when_nothing_is_flagged_and_recall_when_nothing_is_there() -> None:
    never_flagged = precision_recall([(True, False), (False, False)])
    assert never_flagged.precision is None
    assert never_flagged.recall == 0.0
    nothing_there = precision_recall([(False, True), (False, False)])
    assert nothing_there.precision == 0.0
    assert nothing_there.recall is None
    assert precision_recall([]).as_dict() == {
        "tp": 0, "fp": 0, "fn": 0, "tn": 0, "precision": None, "recall": None,
    }  # fmt: skip


def test_tally_treats_none_as_an_answer_that_must_match() -> None:
    friday = date(2026, 11, 27)
    assert tally([(None, None), (friday, friday), (None, friday), (friday, None)]) == Tally(4, 2)


def test_latency_p95_is_a_real_sample_by_nearest_rank() -> None:
    samples = [float(x) for x in range(1, 21)]  # 1..20 ms
    result = latency(samples)
    assert result.mean_ms == pytest.approx(10.5)
    assert result.p95_ms == 19.0  # ceil(0.95 * 20) = 19th smallest
    assert latency([3.0]).p95_ms == 3.0
    assert latency([]).as_dict() == {"n": 0, "mean_ms": None, "p95_ms": None}


def test_within_excludes_the_end_of_the_interval() -> None:
    start, end = date(2013, 2, 21), date(2013, 3, 1)
    assert within(date(2013, 2, 28), start, end)
    assert within(start, start, end)
    assert not within(end, start, end)
    assert not within(None, start, end)
