"""The report frame a view starts from: the role's rows, columns and period."""

from __future__ import annotations

import pandas as pd

from reports.model import RECORD_KEY
from reports.privacy.access import Role, effective_filter, policy_for, visible_reports
from reports.storage.query import ReportFilter, apply_filter


def reports_for(reports: pd.DataFrame, f: ReportFilter, role: Role) -> pd.DataFrame:
    """Reports of ``f`` that ``role`` may see; for the public ``f`` covers whole weeks."""
    return visible_reports(apply_filter(reports, effective_filter(f, role)), role)


def enough_reports(frame: pd.DataFrame, role: Role) -> bool:
    """Whether a page has anything to show for ``frame`` (the role's reports of a filter):
    for the public, whether its published total reads more than "unter k", so a filter
    with no report and one with a few look the same."""
    policy = policy_for(role)
    if policy.exact:
        return not frame.empty
    return bool(policy.publish([len(frame)], [int(frame[RECORD_KEY].sum())]).notna().iloc[0])
