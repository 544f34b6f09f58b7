"""Recall and precision on the hold-out pages (tests/pages/holdout): synthetic pages of sites and kinds the
extractors were not written against, built by someone who had not read the extractors, in the ground-truth
format of ../shared/pages (tests/support/evaluation.py says how facts are judged).

It stands in for "real pages from other sites": the bar there is >= 85% recall and no wrong values.
"""

from __future__ import annotations

import json

from tests.support.evaluation import evaluate
from tests.support.extract import FIXTURES

HOLDOUT = FIXTURES / "holdout"
RECALL_FLOOR = 0.85


def _entries() -> list[dict]:
    return json.loads((HOLDOUT / "holdout.json").read_text(encoding="utf-8"))


def test_holdout_recall_and_no_wrong_values():
    report = evaluate(_entries(), lambda entry: HOLDOUT / entry["file"])
    print(report.table())
    assert not report.failures, report.failures
    assert report.recall() >= RECALL_FLOOR, f"recall {report.recall():.1%} is below {RECALL_FLOOR:.0%}"
    assert not report.wrongs, report.wrongs
