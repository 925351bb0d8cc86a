"""The operator console in a real browser: sign in, dashboard, review queue, case, playbook.

Chromium (Debian's) drives the pages that ``recoup serve`` renders over a demo database (see
conftest.py). Figures on the dashboard are checked against the reference definitions,
:func:`recoup.store.facts.load_facts` + :func:`recoup.domain.metrics.summarise`, computed in
this process from the same database, never against the console's own rollup. The selectors
are the page contract in the console's spec; every page visited is saved as a screenshot.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

import pytest
from sqlalchemy import select

from recoup.domain.metrics import by, summarise
from recoup.store.facts import load_facts
from recoup.store.tables import ReviewItemRow

from .conftest import FINANCE, VIEWER, Console, sign_in

pytestmark = pytest.mark.browser

Shot = Callable[[Any, str], Path]

TILES = (
    "cases",
    "recovered_amount",
    "recovered_cases",
    "link_open_rate",
    "link_completion_rate",
    "promise_kept_rate",
    "dispute_escalation_rate",
    "churn_avoided",
    "dso_days",
)
CHARTS = ("chart-weekly", "chart-rates", "chart-cohorts", "chart-outcomes")
#: Dashboard tables whose rows group cases by a reference dimension (metrics.by).
GROUPED = {"weekly": "week", "by-source": "source", "by-segment": "segment",
           "by-owner": "owner", "by-outcome": "outcome"}  # fmt: skip
TABLES = (*GROUPED, "cohorts")
#: The CSV columns that metrics.summarise defines too.
REFERENCE_COLUMNS = ("cases", "recovered_cases", "recovered_amount", "link_open_rate",
                     "link_completion_rate", "promise_kept_rate", "dispute_escalation_rate",
                     "churn_avoided", "dso_days", "calls", "messages", "alerts",
                     "review_items")  # fmt: skip
#: How long a resolution's DBOS workflow may take to show everywhere.
SETTLE_S = 20.0


def _reference(console: Console) -> tuple[dict[str, Any], list[Any]]:
    """The reference metrics over every case, and the facts they came from."""
    with console.session() as s:
        facts = load_facts(s)
    return summarise(facts, console.now()), facts


def _same(shown: str | None, expected: Any) -> bool:
    """A tile's raw ``data-value`` against the reference: "" is None, numbers compare exactly."""
    if expected is None:
        return shown == ""
    if shown is None or shown == "":
        return False
    return Decimal(shown) == Decimal(str(expected))


def _eventually(check: Callable[[], bool], page: Any, timeout: float = SETTLE_S) -> bool:
    """Reload ``page`` until ``check()`` holds (the resolution workflow runs asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
        page.reload()


def _whoami(page: Any) -> str:
    return str(page.locator("[data-testid=whoami]").inner_text())


def _open_items(console: Console, reason: str | None = None) -> list[ReviewItemRow]:
    query = select(ReviewItemRow).where(
        ReviewItemRow.status == "open", ReviewItemRow.reason != "first_runs_approval"
    )
    if reason is not None:
        query = query.where(ReviewItemRow.reason == reason)
    with console.session() as s:
        return list(s.scalars(query.order_by(ReviewItemRow.key)))


def _item(console: Console, key: str) -> ReviewItemRow | None:
    with console.session() as s:
        return s.get(ReviewItemRow, key)


# -- (a) sign-in ---------------------------------------------------------------------------


def test_sign_in_refuses_a_wrong_password_and_lands_on_the_dashboard(
    context: Any, shot: Shot
) -> None:
    page = context.new_page()
    page.goto("/dashboard")
    assert "/login" in page.url, "an anonymous visit must be sent to the sign-in page"
    shot(page, "login")

    form = page.locator("form#login")
    assert form.locator("input[name=csrf_token]").count() == 1
    form.locator("input[name=email]").fill(FINANCE.email)
    form.locator("input[name=password]").fill("not the password at all")
    form.locator("button[type=submit]").click()
    error = page.locator("[data-testid=login-error]")
    error.wait_for()
    assert error.inner_text().strip()
    assert page.locator("[data-testid=whoami]").count() == 0
    shot(page, "login-error")

    sign_in(page, FINANCE)
    assert page.url.split("?")[0].endswith("/dashboard")
    who = _whoami(page)
    assert FINANCE.email in who
    assert FINANCE.role in who.lower()
    for nav in ("dashboard", "queue", "cases", "playbook"):
        assert page.locator(f"[data-testid=nav-{nav}]").count() == 1, f"nav-{nav} missing"
    shot(page, "dashboard")


# -- (b) dashboard ---------------------------------------------------------------------------


def _tiles_against(page: Any, expected: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Each tile's raw value that differs from the reference, as (shown, expected)."""
    wrong = {}
    for name in TILES:
        tile = page.locator(f"[data-testid=metric-{name}]")
        assert tile.count() == 1, f"tile [data-testid=metric-{name}] missing"
        shown = tile.get_attribute("data-value")
        if not _same(shown, expected[name]):
            wrong[name] = (shown, expected[name])
    return wrong


def test_dashboard_figures_match_the_reference_definitions(
    finance_page: Any, console: Console, shot: Shot
) -> None:
    page = finance_page
    page.goto("/dashboard")
    expected, facts = _reference(console)
    assert expected["cases"] == console.demo["cases"]
    shot(page, "dashboard")
    wrong = _tiles_against(page, expected)
    assert not wrong, f"tiles differ from the reference (shown, expected): {wrong}"

    # Filtered: the busiest segment, then one owner, as query parameters the filter form sends.
    segment = max({f.segment for f in facts if f.segment}, key=[f.segment for f in facts].count)
    owner = max({f.owner for f in facts if f.owner}, key=[f.owner for f in facts].count)
    for column, value in (("segment", segment), ("owner", owner)):
        page.goto(f"/dashboard?{urlencode({column: value})}")
        with console.session() as s:
            subset = load_facts(s, **{column: value})
        wrong = _tiles_against(page, summarise(subset, console.now()))
        shot(page, f"dashboard-{column}")
        assert not wrong, f"{column}={value}: tiles differ (shown, expected): {wrong}"


def test_dashboard_charts_render(finance_page: Any, shot: Shot) -> None:
    page = finance_page
    page.goto("/dashboard")
    ids = list(CHARTS)
    page.wait_for_function(
        """ids => window.Chart && ids.every(id => {
               const c = document.getElementById(id);
               return c && window.Chart.getChart(c);
           })""",
        arg=ids,
        timeout=10_000,
    )
    for chart in CHARTS:
        box = page.locator(f"canvas#{chart}").bounding_box()
        assert box is not None, f"canvas#{chart} not laid out"
        assert box["width"] > 0, chart
        assert box["height"] > 0, chart
    shot(page, "dashboard-charts")


def _text(content: str) -> str:
    """A cell's text as in the markup (not CSS-transformed), whitespace collapsed."""
    return " ".join(content.split())


def _table(page: Any, name: str) -> tuple[list[str], list[list[str]]]:
    """A dashboard table as shown: its header cells and each body row's cells."""
    table = page.locator(f"table[data-testid=table-{name}]")
    assert table.count() == 1, f"table[data-testid=table-{name}] missing"
    header = [_text(h) for h in table.locator("thead th").all_text_contents()]
    rows = [
        [_text(c) for c in row.locator("th, td").all_text_contents()]
        for row in table.locator("tbody tr").all()
    ]
    return header, rows


def _download_csv(page: Any, name: str) -> list[list[str]]:
    """Click the table's CSV link as a person would; the saved file's rows (header first)."""
    link = page.locator(f"a[data-testid=csv-{name}]")
    assert link.count() == 1, f"a[data-testid=csv-{name}] missing"
    href = link.get_attribute("href") or ""
    assert href.split("?")[0].endswith(f"/dashboard/export/{name}.csv"), href
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _shows(cell: str, raw: str) -> bool:
    """Whether a formatted cell (``1,234.50``, ``52.6%``, ``29.6``, a dash) shows the CSV's raw
    value, to the precision the cell has: the check does not copy the page's formatting."""
    if raw == "":
        return cell in ("", "–")
    text = cell.replace(",", "").split()[0] if cell.strip() else ""
    scale = Decimal(100) if text.endswith("%") else Decimal(1)
    text = text.rstrip("%")
    try:
        shown = Decimal(text)
    except ArithmeticError:
        return False
    places = len(text.split(".")[1]) if "." in text else 0
    return abs(shown - Decimal(raw) * scale) <= Decimal(5) / Decimal(10) ** (places + 1)


def _key(text: str) -> str:
    """Row keys as shown (``Paid``) or raw (``paid``) compare alike."""
    return text.replace("_", " ").strip().lower()


def _compare_grouped(name: str, rows: list[list[str]], records: list[list[str]]) -> list[str]:
    """Each table row against the CSV row at the same place, cell by cell."""
    problems = []
    if len(records) - 1 != len(rows):
        return [f"{name}: {len(records) - 1} CSV rows, {len(rows)} table rows"]
    for row, record in zip(rows, records[1:], strict=True):
        if _key(row[0]) != _key(record[0]):
            problems.append(f"{name}: row {row[0]!r} vs CSV {record[0]!r}")
        for col, (cell, raw) in enumerate(zip(row[1:], record[1:], strict=False), start=1):
            if not _shows(cell, raw):
                problems.append(f"{name}/{row[0]}/{records[0][col]}: shows {cell!r}, CSV {raw!r}")
    return problems


def _compare_cohorts(
    header: list[str], rows: list[list[str]], records: list[list[str]]
) -> list[str]:
    """The cohort table is transposed: a column per cohort, a row per metric."""
    problems = []
    if [r[0] for r in records[1:]] != header[1:]:
        return [f"cohorts: CSV cohorts {[r[0] for r in records[1:]]} vs columns {header[1:]}"]
    for i, row in enumerate(rows, start=1):
        for j, cell in enumerate(row[1:], start=1):
            raw = records[j][i]
            if not _shows(cell, raw):
                problems.append(f"cohorts/{records[j][0]}/{records[0][i]}: {cell!r} vs {raw!r}")
    return problems


def _compare_reference(
    name: str, records: list[list[str]], facts: list[Any], now: Any
) -> list[str]:
    """The CSV's figures per group against metrics.by over the reference facts."""
    reference = by(facts, GROUPED[name], now)
    header = records[0]
    got = {r[0]: dict(zip(header, r, strict=True)) for r in records[1:]}
    if set(got) != set(reference):
        return [f"{name}: groups {sorted(got)} vs reference {sorted(reference)}"]
    problems = []
    for key, expected in reference.items():
        for metric in REFERENCE_COLUMNS:
            if not _same(got[key][metric], expected[metric]):
                problems.append(
                    f"{name}/{key}/{metric}: {got[key][metric]!r} vs {expected[metric]!r}"
                )
    return problems


def test_dashboard_csv_downloads_match_the_tables_and_the_reference(
    finance_page: Any, console: Console, shot: Shot
) -> None:
    page = finance_page
    page.goto("/dashboard")
    shot(page, "dashboard")
    _, facts = _reference(console)
    now = console.now()
    problems: list[str] = []
    for name in TABLES:
        header, rows = _table(page, name)
        records = _download_csv(page, name)
        assert records, f"{name}.csv is empty"
        if name == "cohorts":
            problems += _compare_cohorts(header, rows, records)
        else:
            problems += _compare_grouped(name, rows, records)
            problems += _compare_reference(name, records, facts, now)
    assert not problems, "\n".join(problems)


# -- (c) the review queue, a resolution, the case and the write-back ------------------------


def _queue_keys(page: Any) -> list[str]:
    return [
        str(row.get_attribute("data-key"))
        for row in page.locator("table[data-testid=queue] tr[data-testid=queue-item]").all()
    ]


def _filter_by_reason(page: Any, reason: str) -> None:
    """Use the page's own filter form when it has one; else the documented query parameter."""
    select_ = page.locator("select[name=reason]")
    if select_.count() == 1:
        select_.select_option(reason)
        form = select_.locator("xpath=ancestor::form")
        form.locator("button[type=submit], input[type=submit]").first.click()
        page.wait_for_load_state()
    else:
        page.goto(f"/queue?reason={reason}")


def test_work_an_item_through_the_queue(finance_page: Any, console: Console, shot: Shot) -> None:
    page = finance_page
    reason = "attempts_exhausted"
    wanted = {i.key for i in _open_items(console, reason)}
    assert wanted, f"the demo left no open {reason} item"
    page.goto("/queue")
    shot(page, "queue")
    _filter_by_reason(page, reason)
    assert f"reason={reason}" in page.url
    shown = _queue_keys(page)
    assert set(shown) == wanted, "the reason filter shows other items than the database"
    shot(page, "queue-filtered")

    key = shown[0]
    case_id = page.locator(f"tr[data-key='{key}']").get_attribute("data-case")
    page.locator(f"tr[data-key='{key}'] a[href*='/review/']").first.click()
    page.wait_for_load_state()
    assert "/review/" in page.url
    shot(page, "item")

    page.locator("button[data-testid=take]").click()
    page.wait_for_load_state()
    taken = _item(console, key)
    assert taken is not None
    assert taken.assignee, "take did not assign the item"
    shot(page, "item-taken")

    note = "Customer settled by bank transfer; reference BT-4471."
    page.locator("select[name=resolution]").select_option("settled")
    page.locator("textarea[name=note]").fill(note)
    page.locator("button[data-testid=resolve]").click()
    page.wait_for_load_state()
    shot(page, "item-resolved")

    page.goto("/queue")
    assert _eventually(lambda: key not in _queue_keys(page), page), "item still in open queue"
    shot(page, "queue-after")
    row = _item(console, key)
    assert row is not None
    assert row.status != "open"
    assert row.resolution == "settled"
    assert row.note == note

    page.goto(f"/cases/{case_id}")
    resolution = page.locator("ol[data-testid=timeline] > li[data-kind=resolution]")
    assert _eventually(lambda: resolution.filter(has_text=note).count() >= 1, page), (
        "no resolution event with the note on the case timeline"
    )
    assert page.locator("[data-testid=case-header]").count() == 1
    assert page.locator("table[data-testid=audit]").count() == 1

    def crm_link() -> Any:
        for a in page.locator("a[data-testid=destination]").all():
            href = unquote(a.get_attribute("href") or "")
            if "/sim/crm/" in href and f"{key}:resolution" in href:
                return a
        return None

    assert _eventually(lambda: crm_link() is not None, page), (
        f"no a[data-testid=destination] to /sim/crm/{key}:resolution on the case page"
    )
    shot(page, "case")
    crm_link().click()
    page.wait_for_load_state()
    assert "/sim/crm/" in unquote(page.url)
    body = page.locator("body").inner_text().lower()
    assert "resolved" in body or "settled" in body, "the CRM record does not show the resolution"
    shot(page, "crm-record")


# -- (d) a viewer ----------------------------------------------------------------------------


def test_a_viewer_sees_no_actions_and_a_forged_post_is_refused(
    viewer_page: Any, console: Console, shot: Shot
) -> None:
    page = viewer_page
    who = _whoami(page)
    assert VIEWER.email in who
    assert "viewer" in who.lower()
    page.goto("/queue")
    shot(page, "queue")
    keys = _queue_keys(page)
    assert keys, "a viewer sees the queue too"
    key = keys[0]
    before = _item(console, key)
    assert before is not None
    page.locator(f"tr[data-key='{key}'] a[href*='/review/']").first.click()
    page.wait_for_load_state()
    shot(page, "item")
    for action in ("take", "resolve", "approve", "correct", "reject"):
        assert page.locator(f"button[data-testid={action}]").count() == 0, action
    token_field = page.locator("input[name=csrf_token]")
    token = token_field.first.get_attribute("value") if token_field.count() else "forged"
    path = page.url.split(console.base_url, 1)[-1].split("?")[0]
    for verb, form in (
        ("take", {"csrf_token": token}),
        ("resolve", {"csrf_token": token, "resolution": "settled", "note": "forged"}),
    ):
        response = page.request.post(f"{path}/{verb}", form=form, max_redirects=0)
        assert response.status == 403, f"viewer POST {path}/{verb} got {response.status}"
    item = _item(console, key)
    assert item is not None
    assert (item.status, item.assignee) == (before.status, before.assignee)


# -- (e) the playbook ------------------------------------------------------------------------


def test_playbook_rules_and_dry_run(finance_page: Any, shot: Shot) -> None:
    page = finance_page
    page.goto("/playbook")
    rules = page.locator("[data-testid=playbook-rules]")
    assert rules.count() == 1
    assert rules.inner_text().strip()
    shot(page, "playbook")
    # The demo's events lie 1-5 weeks before the server's "now": 60 days covers them all.
    page.goto("/playbook/dry-run?days=60")
    table = page.locator("table[data-testid=dry-run]")
    assert table.count() == 1
    actions = [r.get_attribute("data-action") for r in table.locator("tr[data-action]").all()]
    assert actions, "the dry run replayed no event"
    assert set(actions) <= {"call", "review", "skip"}, set(actions)
    summary = page.locator("[data-testid=dry-run-summary]")
    assert summary.inner_text().strip()
    counts = {
        c.get_attribute("data-action"): int(c.get_attribute("data-count") or 0)
        for c in summary.locator("[data-action][data-count]").all()
    }
    if counts:  # the summary's counts, where it shows them, add up to the table
        assert counts == {a: actions.count(a) for a in counts}, counts
    shot(page, "dry-run")
