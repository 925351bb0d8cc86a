"""Promise dates: every supported phrase, always in the future, in the customer's own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from recoup.agent.dates import local_today, needs_date_clarification, parse_promise_date

# Wednesday 25 November 2026, 10:00 in New York.
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
NY = "America/New_York"


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("I can pay friday", date(2026, 11, 27)),
        ("this friday", date(2026, 11, 27)),
        ("wednesday", date(2026, 12, 2)),  # never today
        ("next friday", date(2026, 12, 4)),  # next week's, unlike dateparser
        ("the following friday", date(2026, 12, 4)),
        ("friday next week", date(2026, 12, 4)),
        ("friday after next", date(2026, 12, 4)),
        ("next week", date(2026, 11, 30)),  # Monday of next week
        ("after the weekend", date(2026, 11, 30)),
        ("on the 15th", date(2026, 12, 15)),
        ("by the fifteenth", date(2026, 12, 15)),
        ("on the twenty first", date(2026, 12, 21)),
        ("the 30th", date(2026, 11, 30)),
        ("12/2", date(2026, 12, 2)),
        ("11/20", date(2027, 11, 20)),  # already past this year
        ("12/2/2027", date(2027, 12, 2)),
        ("december fourth", date(2026, 12, 4)),
        ("the 4th of December", date(2026, 12, 4)),
        ("Dec. 4, 2026", date(2026, 12, 4)),
        ("the 3rd of March", date(2027, 3, 3)),
        ("end of the month", date(2026, 11, 30)),
        ("end of month", date(2026, 11, 30)),
        ("end of next month", date(2026, 12, 31)),
        ("first of next month", date(2026, 12, 1)),
        ("the beginning of next month", date(2026, 12, 1)),
        ("tomorrow", date(2026, 11, 26)),
        ("the day after tomorrow", date(2026, 11, 27)),
        ("in 3 days", date(2026, 11, 28)),
        ("in ten days", date(2026, 12, 5)),
        ("in a week", date(2026, 12, 2)),
        ("in two weeks", date(2026, 12, 9)),
        ("two weeks from now", date(2026, 12, 9)),
        ("a fortnight", date(2026, 12, 9)),
    ],
)
def test_supported_phrases(said: str, expected: date) -> None:
    assert parse_promise_date(said, NOW, NY) == expected


@pytest.mark.parametrize(
    "said",
    [
        "after the holidays", "payday", "when I get paid", "next month", "soon", "a bit later",
        "in a couple of days",  # the product's convention (data README): ask, do not guess
        "later this week", "end of this week",
    ],
)
def test_vague_answers_ask_for_a_date(said: str) -> None:
    assert parse_promise_date(said, NOW, NY) is None
    assert needs_date_clarification(said)


@pytest.mark.parametrize(
    "said",
    [
        "today",
        "right now",
        "first I want to say thanks",
        "friday the 5th",  # the 5th of December is a Saturday: ask, do not pick one half
        "the last friday of october",
        "I paid 3 weeks ago",
        "I paid it last friday",
        "",
    ],
)
def test_no_date_rather_than_a_wrong_one(said: str) -> None:
    assert parse_promise_date(said, NOW, NY) is None


def test_a_weekday_said_on_that_weekday_is_next_week() -> None:
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert parse_promise_date("friday", friday, NY) == date(2026, 12, 4)


def test_next_weekday_said_on_a_sunday_is_this_coming_one() -> None:
    sunday = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    assert parse_promise_date("next friday", sunday, NY) == date(2026, 12, 4)


def test_end_of_the_month_on_its_last_day_is_next_months() -> None:
    last_day = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert parse_promise_date("end of the month", last_day, NY) == date(2026, 12, 31)


def test_the_31st_skips_short_months() -> None:
    assert parse_promise_date("on the 31st", NOW, NY) == date(2026, 12, 31)
    in_december = datetime(2027, 1, 31, 15, 0, tzinfo=UTC)
    assert parse_promise_date("the 31st", in_december, NY) == date(2027, 3, 31)


def test_today_is_the_customers_today() -> None:
    # 03:00 UTC on the 26th is still the evening of the 25th in Los Angeles.
    late = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    assert parse_promise_date("tomorrow", late, "America/Los_Angeles") == date(2026, 11, 26)
    assert parse_promise_date("tomorrow", late) == date(2026, 11, 27)
    offset = late.astimezone(timezone(timedelta(hours=-8)))
    assert parse_promise_date("tomorrow", offset) == date(2026, 11, 26)


def test_an_unknown_zone_falls_back_to_nows_offset() -> None:
    assert local_today(NOW, "Mars/Olympus") == NOW.date()


@pytest.mark.parametrize("days_ahead", range(0, 40, 3))
@pytest.mark.parametrize(
    "said",
    ["monday", "next sunday", "the 1st", "12/25", "end of the month", "tomorrow", "jan 1"],
)
def test_always_strictly_after_today(days_ahead: int, said: str) -> None:
    now = NOW + timedelta(days=days_ahead)
    found = parse_promise_date(said, now, NY)
    assert found is not None
    assert found > local_today(now, NY)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("by the weekend", date(2026, 11, 28)),  # the coming Saturday
        ("monday or tuesday", date(2026, 11, 30)),  # the first day named
        ("no i said 12/2 not friday", date(2026, 12, 2)),  # friday is ruled out
        ("november the 30th", date(2026, 11, 30)),
        ("i'll settle it first thing tomorrow", date(2026, 11, 26)),
    ],
)
def test_conventions_of_the_labelled_data(said: str, expected: date) -> None:
    assert parse_promise_date(said, NOW, NY) == expected
