"""Recall and precision of the extractors on real public pages recorded by others (../shared/pages).

Skipped when ../shared/pages/pages.json is absent. The pages are read where they are, never copied.
How facts are judged, and the leave-one-site-out view: tests/support/evaluation.py.
The test fails when recall < 90% overall or < 85% for a kind, when wrong values exceed 2% of the judged
values, or when a negative page (login wall, consent wall, 404, challenge) yields anything. Run with -s
to see the per-kind table, the leave-one-site-out line and every miss.
"""

from __future__ import annotations

import json

import pytest

from tests.support.evaluation import evaluate
from tests.support.extract import SHARED_PAGES

PAGES_JSON = SHARED_PAGES / "pages.json"
RECALL_FLOOR = 0.90
KIND_FLOOR = 0.85
WRONG_CEILING = 0.02


@pytest.mark.skipif(not PAGES_JSON.exists(), reason="../shared/pages/pages.json is not there")
def test_shared_pages_recall_and_precision():
    entries = json.loads(PAGES_JSON.read_text(encoding="utf-8"))
    report = evaluate(entries, lambda entry: SHARED_PAGES / entry["kind"] / entry["file"])
    print(report.table())
    assert not report.failures, report.failures
    assert report.recall() >= RECALL_FLOOR, f"recall {report.recall():.1%} is below {RECALL_FLOOR:.0%}"
    low = {kind: f"{report.recall(kind):.0%}" for kind in report.rows if report.recall(kind) < KIND_FLOOR}
    assert not low, f"kinds below {KIND_FLOOR:.0%}: {low}"
    assert len(report.wrongs) <= WRONG_CEILING * report.judged(), report.wrongs
