"""Loaders for ../shared: real files when present, hand-written rows always."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from recoup.evaluation import corpora as cx
from recoup.evaluation.promise_kinds import promise_kind
from recoup.evaluation.shared import date_cases, score_shared

REF = "2013-02-12T04:30:00-02:00"  # Duckling's reference: a Tuesday


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ("friday", "weekday"), ("next tuesday", "weekday"), ("wednesday after next", "weekday"),
        ("tomorrow", "relative_day"), ("in 3 days", "relative_day"),
        ("in a week", "relative_week"), ("next week", "relative_week"),
        ("on the 15th", "day_of_month"), ("20th of next month", "day_of_month"),
        ("December 4", "month_day"), ("the 1st of march", "month_day"), ("2/15", "month_day"),
        ("end of the month", "end_of_month"), ("by EOM", "end_of_month"),
        ("at 9:30 pm", None), ("last tuesday", None), ("3 days ago", None),
        ("thanksgiving", None), ("this summer", None), ("July 13-15", None),
        ("three days after Easter", None), ("March", None), ("next month", None),
    ],
)  # fmt: skip
def test_promise_kind_is_read_from_the_whole_expression(expression: str, kind: str | None) -> None:
    assert promise_kind(expression) == kind


def test_duckling_day_values_and_intervals() -> None:
    day = cx.duckling_case(
        {
            "expression": "friday",
            "reference_time": REF,
            "expected": {"type": "datetime", "value": "2013-02-15T00:00:00-02:00", "grain": "day"},
        }
    )
    assert day is not None
    assert day.kind == "weekday"
    assert day.day_level
    assert day.correct(date(2013, 2, 15))
    assert not day.correct(None)
    end = cx.duckling_case(
        {
            "expression": "end of the month",
            "reference_time": REF,
            "expected": {
                "type": "datetimeInterval",
                "grain": "day",
                "from": "2013-02-21T00:00:00-02:00",
                "to": "2013-03-01T00:00:00-02:00",
            },
        }
    )
    assert end is not None
    assert end.kind == "end_of_month"
    assert end.correct(date(2013, 2, 28))
    assert not end.correct(date(2013, 3, 1))
    open_ended = {"type": "datetimeOpenInterval", "from": REF, "grain": "second"}
    assert cx.duckling_case({"expression": "ASAP", "reference_time": REF,
                             "expected": open_ended}) is None  # fmt: skip


def test_a_past_day_is_day_level_but_never_a_promise() -> None:
    case = cx.duckling_case(
        {
            "expression": "last tuesday",
            "reference_time": REF,
            "expected": {"type": "datetime", "value": "2013-02-05T00:00:00-02:00", "grain": "day"},
        }
    )
    assert case is not None
    assert case.day_level
    assert case.kind is None
    tuesday = cx.duckling_case(
        {
            "expression": "tuesday of this week",
            "reference_time": REF,
            "expected": {"type": "datetime", "grain": "day", "value": "2013-02-12T00:00:00-02:00"},
        }
    )
    assert tuesday is not None
    assert tuesday.kind is None


def test_recognizers_takes_the_future_reading_and_unresolved_as_none() -> None:
    values = [{"value": "2016-11-04"}, {"value": "2016-11-11"}]
    case = cx.recognizers_case("I'll go back on Friday", "2016-11-07T00:00:00", "friday", values)
    assert case.expected == date(2016, 11, 11)
    assert case.kind == "weekday"
    feb30 = cx.recognizers_case("feb 30", "2019-01-30T00:00:00", "feb 30",
                                [{"value": "not resolved"}])  # fmt: skip
    assert feb30.expected is None
    assert feb30.kind == "month_day"


def test_nlupp_dates_drop_sentences_with_two_dates_from_the_promise_subset(
    tmp_path: Path,
) -> None:
    def slot(text: str, name: str, span: str, value: object) -> str:
        return json.dumps({"text": text, "slot": name, "span_text": span, "value": value,
                           "reference_datetime": "2022-03-15T09:00:00"})  # fmt: skip

    friday = {"day": 18, "month": 3, "year": 2022}
    path = tmp_path / "slots.jsonl"
    path.write_text("\n".join([
        slot("friday please", "date", "friday", friday),
        slot("friday or the 25th", "date", "friday", friday),
        slot("friday or the 25th", "date_to", "the 25th", {"day": 25, "month": 3, "year": 2022}),
        slot("some days ago", "date", "some days ago", "ambiguous"),
    ]))  # fmt: skip
    cases = cx.load_nlupp_dates(path)
    assert [(c.text, c.kind, c.expected) for c in cases] == [
        ("friday please", "weekday", date(2022, 3, 18)),
        ("friday or the 25th", None, date(2022, 3, 18)),
        ("some days ago", None, None),
    ]


def test_a_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok"}\n{not json\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: not JSON"):
        list(cx.read_jsonl(path))


def test_shared_date_corpora_load(shared_dir: Path) -> None:
    notes: list[str] = []
    cases = date_cases(shared_dir, notes)
    assert notes == []
    sources = {c.source for c in cases}
    assert sources == {"duckling", "duckling_negative", "recognizers", "nlupp"}
    negative = [c for c in cases if c.source == "duckling_negative"]
    assert len(negative) == 28
    assert all(c.expected is None for c in negative)
    promise = [c for c in cases if c.kind is not None]
    assert len(promise) > 200
    assert all(c.expected is None or c.expected > c.now.date() for c in promise)


def test_duckling_subset_adds_nothing_beyond_the_time_corpus(shared_dir: Path) -> None:
    whole = cx.load_duckling(shared_dir / cx.DATES / "duckling_en_time_corpus.jsonl")
    subset = cx.load_duckling(shared_dir / cx.DATES / "duckling_en_day_week_month_subset.jsonl")
    assert len(subset) == 289
    assert len(cx.unique(whole + subset)) == len(cx.unique(whole))


def test_recognizers_files_load(shared_dir: Path) -> None:
    model = cx.load_recognizers_model(
        shared_dir / cx.DATES / "recognizers_text_en_datetimemodel.jsonl"
    )
    subset = cx.load_recognizers_subset(
        shared_dir / cx.DATES / "recognizers_text_en_single_date_subset.jsonl")  # fmt: skip
    assert len(subset) > 50
    assert len(cx.unique(model + subset)) == len(cx.unique(model))


def test_intent_corpora_map_only_what_maps(shared_dir: Path) -> None:
    confirm = cx.load_nlupp_confirm(
        shared_dir / cx.INTENTS / "nlupp_call_control_intents_subset.jsonl"
    )
    banking = cx.load_banking77(shared_dir / cx.INTENTS / "banking77_payment_relevant.jsonl")
    assert {c.expected for c in confirm} == {"yes", "no", "human"}
    assert {c.expected for c in banking} == {"dispute", "cancel"}
    assert {c.source_label for c in banking} == set(cx.BANKING77)


def test_scoring_the_shared_corpora_reports_every_group(shared_dir: Path) -> None:
    report = score_shared(shared_dir).as_dict()
    assert report["notes"] == []
    dates = report["dates"]
    assert isinstance(dates, dict)
    assert set(dates["promise"]) == {"all", "duckling", "recognizers", "nlupp"}
    assert dates["negative"]["n"] == 28
    assert set(report["intents"]) == {"nlupp_confirm", "banking77"}  # type: ignore[arg-type]


def test_a_span_reaching_past_today_is_still_reachable() -> None:
    rest = cx.duckling_case({"expression": "rest of the week", "reference_time": REF,
                             "expected": {"type": "datetimeInterval", "grain": "day",
                                          "from": "2013-02-12T00:00:00-02:00",
                                          "to": "2013-02-17T00:00:00-02:00"}})  # fmt: skip
    assert rest is not None
    assert rest.reachable()
    today = cx.duckling_case({"expression": "today", "reference_time": REF, "expected": {
        "type": "datetime", "value": "2013-02-12T00:00:00-02:00", "grain": "day"}})  # fmt: skip
    assert today is not None
    assert not today.reachable()
