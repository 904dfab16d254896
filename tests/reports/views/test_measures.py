"""A measure's effect for the public is computed from its published window counts."""

from __future__ import annotations

from datetime import date

from reports.analysis.evaluation import Windows, evaluation_of_counts
from reports.coordination.measures import effect_text
from reports.privacy.access import Role
from reports.views.measures import published_evaluation

WINDOWS = Windows.around(date(2026, 3, 1), 180, True)


def test_public_effect_uses_published_counts_members_exact():
    exact = evaluation_of_counts(WINDOWS, (43, 27), (402, 361), (13, 3))
    public = published_evaluation(exact, Role.PUBLIC)
    assert (public.area.before, public.area.after) == (45, 25)
    assert (public.comparison.before, public.comparison.after) == (400, 360)
    assert public.displacement is None  # too few in the ring for a verdict
    assert "vorher 45, nachher 25 Meldungen" in effect_text(public)
    assert published_evaluation(exact, Role.MEMBER) is exact
    assert "vorher 43, nachher 27 Meldungen" in effect_text(exact)


def test_a_small_window_count_gives_no_verdict_for_the_public():
    exact = evaluation_of_counts(WINDOWS, (12, 4), (400, 380), (0, 0))
    public = published_evaluation(exact, Role.PUBLIC)
    assert not public.enough_data and " 4 " not in effect_text(public)
