"""The report frame a view starts from: the role's rows, columns and period."""

from __future__ import annotations

import pandas as pd

from reports.privacy.access import Role, effective_filter, visible_reports
from reports.storage.query import ReportFilter, apply_filter


def reports_for(reports: pd.DataFrame, f: ReportFilter, role: Role) -> pd.DataFrame:
    """Reports of ``f`` that ``role`` may see; for the public ``f`` covers whole weeks."""
    return visible_reports(apply_filter(reports, effective_filter(f, role)), role)
