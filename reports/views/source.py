"""The report frame a view starts from: the role's rows, columns and period."""

from __future__ import annotations

import functools

import pandas as pd

from reports.model import RECORD_KEY, vocabulary
from reports.privacy.access import Role, effective_filter, policy_for, visible_reports
from reports.storage.query import ReportFilter, apply_filter


def reports_for(reports: pd.DataFrame, f: ReportFilter, role: Role) -> pd.DataFrame:
    """Reports of ``f`` that ``role`` may see; for the public ``f`` covers whole weeks."""
    return visible_reports(apply_filter(reports, effective_filter(f, role)), role)


CONCERN_SOURCE = "buerger"  # accepted Anliegen: moderation may file them under any category


@functools.cache
def _delivered(source: str) -> frozenset[tuple[str, str]]:
    """(category, topic) pairs a source delivers: what its shipped profile maps to, under
    the topic it files each one (any, for the residents' source). Data-independent on
    purpose: a list built from the stored reports would tell the public which categories
    have reports at all (zero against a few)."""
    from reports.ingest.profiles import PROFILE_DIR, load_profile

    vocab = vocabulary()
    if source == CONCERN_SOURCE or not (PROFILE_DIR / f"{source}.toml").exists():
        return frozenset((k, t) for k, c in vocab.categories.items() for t in c.topics)
    profile = load_profile(source)
    return frozenset((k, profile.topic_of(k) or "") for k in profile.categories.values())


def filter_categories(topics: tuple[str, ...], sources: tuple[str, ...],
                      role: Role) -> list[str]:
    """The categories the sidebar offers: those the chosen sources deliver under the
    chosen topics, plus each chosen topic's "Sonstiges" (every source has one), so the list
    is never empty; restricted categories only for roles that see them."""
    vocab = vocabulary()
    chosen = set(topics or vocab.topics)
    keys = [k for k, c in vocab.categories.items() if set(c.topics) & chosen]
    if sources:
        delivered = {k for s in sources for k, t in _delivered(s) if t in chosen}
        delivered |= {vocab.other_of(t) for t in chosen}
        keys = [k for k in keys if k in delivered]
    if not policy_for(role).sees_restricted_categories:
        keys = [k for k in keys if k not in vocab.restricted_categories]
    return keys


def enough_reports(frame: pd.DataFrame, role: Role) -> bool:
    """Whether a page has anything to show for ``frame`` (the role's reports of a filter):
    for the public, whether its published total reads more than "unter k", so a filter
    with no report and one with a few look the same."""
    policy = policy_for(role)
    if policy.exact:
        return not frame.empty
    return bool(policy.publish([len(frame)], [int(frame[RECORD_KEY].sum())]).notna().iloc[0])
