"""A measure's effect for the public is computed from its published window counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from reports.analysis.evaluation import Windows, evaluation_of_counts
from reports.coordination.measures import effect_text
from reports.privacy.access import Role
from reports.privacy.policy import publish_counts
from reports.views.measures import published_evaluation

WINDOWS = Windows.around(date(2026, 3, 1), 180, True)
KEYS = (123456789, 987654321, 55555555, 2000000000, 7, 3141592653)


def test_public_effect_uses_published_counts_members_exact():
    exact = replace(evaluation_of_counts(WINDOWS, (43, 27), (402, 361), (13, 3)),
                    key_sums=KEYS)
    public = published_evaluation(exact, Role.PUBLIC)
    shown = publish_counts([43, 27, 402, 361], KEYS[:4], 5).tolist()
    assert [public.area.before, public.area.after] == shown[:2]
    assert [public.comparison.before, public.comparison.after] == shown[2:]
    assert all(v % 5 == 0 and abs(v - t) <= 4 for v, t in zip(shown, [43, 27, 402, 361],
                                                                 strict=True))
    assert public.displacement is None  # too few in the ring for a verdict
    assert f"vorher {shown[0]}, nachher {shown[1]} Meldungen" in effect_text(public)
    assert published_evaluation(exact, Role.MEMBER) is exact
    assert "vorher 43, nachher 27 Meldungen" in effect_text(exact)


def test_a_small_window_count_gives_no_verdict_for_the_public():
    exact = replace(evaluation_of_counts(WINDOWS, (12, 4), (400, 380), (0, 0)), key_sums=KEYS)
    public = published_evaluation(exact, Role.PUBLIC)
    assert not public.enough_data and " 4 " not in effect_text(public)


def test_without_record_key_sums_nothing_is_published():
    with pytest.raises(ValueError, match="record key"):
        published_evaluation(evaluation_of_counts(WINDOWS, (43, 27), (402, 361), (13, 3)),
                             Role.PUBLIC)
