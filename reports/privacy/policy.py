"""The privacy policy of a role, built once from the settings and asked by every view: what
the role may see, and how its counts are published.

Public counts use the cell key method of statistical offices (Destatis for the Zensus 2022,
"Cell Key Method"; the Australian Bureau of Statistics' TableBuilder perturbation, Fraser &
Wooton 2005, Thompson, Broadfoot & Elazar 2013): every report carries a random record key
(``reports.model.RECORD_KEY``, drawn once by the store); a figure's cell key is the sum of its
reports' record keys modulo ``RECORD_KEY_RANGE``, scaled to [0, 1); the figure's noise is read
from a fixed perturbation table at that cell key. The same set of reports therefore always
gets the same figure (asking again, or by another route, gives nothing new), while two
different sets get independent noise, so subtracting overlapping figures does not cancel it.
On top, perturbed values are rounded to 5 and values below k read "unter k".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum

import numpy as np
import pandas as pd

from config.settings import Settings, settings
from reports.model import RECORD_KEY_RANGE, vocabulary
from reports.storage.query import ReportFilter


class Role(StrEnum):
    PUBLIC = "oeffentlich"
    MEMBER = "mitglied"
    EDITOR = "redaktion"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.PUBLIC: "Öffentlich",
    Role.MEMBER: "Mitglied",
    Role.EDITOR: "Redaktion",
    Role.ADMIN: "Admin",
}

# The perturbation table: noise -2 .. +2 with these probabilities (mean 0, variance 1.2),
# read at the cell key. Counts below k get no noise: they read "unter k" whatever it is.
NOISE = np.array([-2, -1, 0, 1, 2], dtype=np.int64)
NOISE_P = np.array([0.1, 0.2, 0.4, 0.2, 0.1])
NOISE_MAX = int(NOISE.max())
_NOISE_CUM = np.cumsum(NOISE_P)
# Public counts are multiples of this (or of k, if larger): with a base below 5 a band could
# hold a single value (k = 2 would publish 2 exactly, and 2 minus a hidden 1 is 1).
ROUNDING_BASE = 5
# A count column ``c`` of an aggregate table comes with ``c + KEY_SUFFIX``: the sum of the
# record keys of the reports it counts. It is used here and never leaves this module.
KEY_SUFFIX = "_key"


def rounding_base(k: int) -> int:
    return max(k, ROUNDING_BASE)


def cell_keys(key_sums) -> np.ndarray:
    """Cell keys in [0, 1) of figures whose reports' record keys sum to ``key_sums``."""
    sums = np.asarray(key_sums, dtype="float64")  # exact: sums stay far below 2**53
    return np.mod(sums, RECORD_KEY_RANGE) / RECORD_KEY_RANGE


def noise(counts, key_sums, k: int) -> np.ndarray:
    """The perturbation table at each figure's cell key; 0 for counts below ``k``."""
    n = np.asarray(counts, dtype=np.int64)
    at = np.minimum(np.searchsorted(_NOISE_CUM, cell_keys(key_sums), side="right"),
                    len(NOISE) - 1)
    return np.where(n >= k, NOISE[at], 0)


def publish_counts(counts, key_sums, k: int) -> pd.Series:
    """Public figures: count + noise(cell key), rounded to the nearest multiple of
    ``rounding_base(k)`` (never below it, ties up); NA ("unter k") where the count or the
    perturbed count is below k. A count 0 and a count 1 .. k-1 read the same.

    Why not suppression or rounding alone: the public can combine any period, topic, source,
    category, place, grid size and shape, and no per-table suppression stays consistent
    across all of them; rounding alone lets an attacker who can add one report at a time to
    a figure find the exact point where it flips. With the cell key every other set of
    reports draws its own noise, so a flip says nothing about the part that was added.
    """
    raw = pd.Series(counts)
    n = raw.fillna(0).to_numpy(dtype=np.int64)
    keys = pd.Series(key_sums).fillna(0).to_numpy(dtype="float64")
    perturbed = n + noise(n, keys, k)
    base = rounding_base(k)
    rounded = np.maximum(base, np.floor(perturbed / base + 0.5) * base)
    out = pd.array(rounded.astype("int64"), dtype="Int64")
    out[(n < k) | (perturbed < k)] = pd.NA
    return pd.Series(out, index=raw.index, name=raw.name)


def count_band(shown, k: int) -> tuple[int, int]:
    """The true counts (lowest, highest) a published value ``shown`` stands for: what an
    attacker learns from it, knowing the table. NA stands for 0 .. k-1+NOISE_MAX (a count
    of k pushed down by the noise reads "unter k" too)."""
    if shown is None or pd.isna(shown):
        return 0, k - 1 + NOISE_MAX
    shown, base = int(shown), rounding_base(k)
    low = k if shown == base else max(k, math.ceil(shown - base / 2) - NOISE_MAX)
    return low, math.ceil(shown + base / 2) - 1 + NOISE_MAX


@dataclass(frozen=True)
class Policy:
    """What one role may see and how its numbers are published. Views ask it; they never
    branch on k themselves."""

    role: Role
    sees_points: bool
    sees_details: bool  # descriptions and addresses
    sensitivities: frozenset[str]
    sees_restricted_categories: bool
    min_count: int  # k: aggregates are published (see module doc); 0: exact counts
    may_edit: bool  # import, correct, place by hand, manage meetings
    may_admin: bool  # users, retention, audit

    @classmethod
    def build(cls, role: Role, s: Settings) -> Policy:
        if role is Role.PUBLIC:
            return cls(role, False, False, frozenset({"public", "members"}), False,
                       s.min_count, False, False)
        if role is Role.MEMBER:
            return cls(role, True, True, frozenset({"public", "members"}), False, 0, False,
                       False)
        return cls(role, True, True, frozenset({"public", "members", "restricted"}), True, 0,
                   True, role is Role.ADMIN)

    @property
    def exact(self) -> bool:
        """True: the role sees exact counts (no noise, no rounding, no "unter k")."""
        return not self.min_count

    @property
    def chooses_free_places(self) -> bool:
        """Whether the role may count at a place of its own (a drawn area, a stretch of
        street by house numbers): two such places can differ by one cell, and whether
        their figures differ would tell whether that cell holds a report."""
        return self.exact

    def publish(self, counts, key_sums) -> pd.Series:
        """Counts as this role sees them (Int64; NA: "unter k")."""
        if self.exact:
            return pd.Series(counts).astype("Int64")
        return publish_counts(counts, key_sums, self.min_count)

    def table(self, counts: pd.DataFrame, count_cols: str | Sequence[str] = "reports",
              derived: Sequence[str] = ()) -> pd.DataFrame:
        """The aggregate table the role may see: ``count_cols`` published (each with its
        ``<col>_key`` column, which is dropped for every role), ``derived`` columns (rates,
        changes, z-values) dropped for the public (the caller computes them again from the
        published counts), ``hidden`` marking rows with a hidden count."""
        cols = [count_cols] if isinstance(count_cols, str) else list(count_cols)
        keys = [c + KEY_SUFFIX for c in cols]
        missing = [k for k in keys if k not in counts]
        if missing and not self.exact:
            raise ValueError(f"public counts need their record key sums: {missing}")
        out = counts.drop(columns=[k for k in keys if k in counts])
        if self.exact:
            return out.assign(hidden=False)
        out = out.drop(columns=[c for c in derived if c in out])
        hidden = np.zeros(len(out), dtype=bool)
        for column, key in zip(cols, keys, strict=True):
            out[column] = publish_counts(out[column], counts[key], self.min_count)
            hidden |= out[column].isna().to_numpy()
        out["hidden"] = hidden
        return out

    def text(self, value) -> str:
        """A count as a page prints it: "unter k" for a hidden public count."""
        if value is None or pd.isna(value):
            return f"unter {self.min_count}" if self.min_count else "–"
        return f"{int(value):,}".replace(",", ".")

    def band(self, shown) -> tuple[int, int]:
        return count_band(shown, self.min_count) if not self.exact else (int(shown),
                                                                          int(shown))

    def values(self, published: pd.Series) -> np.ndarray:
        """Integer values for statistics drawn from published counts (Gi*, heat, means): a
        hidden count counts as 0, exactly like an empty cell, so a statistic cannot tell
        "unter k" from nothing and carries nothing the figures do not."""
        return pd.Series(published).astype("Float64").fillna(0).to_numpy(dtype=np.int64)

    def groups(self, by: str) -> list[str] | None:
        """For the public, the fixed groups every grouping by ``by`` lists (topic, source,
        category; also with "unter k" for none): which groups a filter contains would
        otherwise tell an empty group from a small one. None: the groups present."""
        if self.exact:
            return None
        vocab = vocabulary()
        if by == "topic":
            return sorted(vocab.topics)
        if by == "source":
            return sorted(vocab.sources)
        if by == "category":
            return sorted(k for k, c in vocab.categories.items() if not c.restricted)
        raise ValueError(f"unknown grouping {by!r}")

    def period(self, f: ReportFilter) -> ReportFilter:
        """The filter as the role may apply it (whole weeks for the public)."""
        return f if self.exact else public_period(f)

    def note(self) -> str | None:
        """The caption that explains public numbers, or None for exact ones."""
        if self.exact:
            return None
        k = self.min_count
        return (f"Öffentliche Ansicht: Zahlen leicht verrauscht und auf "
                f"{rounding_base(k)} gerundet, Werte unter {k} Meldungen (auch keine) als "
                f"„unter {k}“ (Datenschutz); Zeiträume umfassen ganze Wochen. Summen "
                "veröffentlichter Zahlen können deshalb von der veröffentlichten Gesamtzahl "
                "abweichen.")


def policy_for(role: Role) -> Policy:
    """The policy of ``role`` under the current settings."""
    return Policy.build(role, settings())


def public_period(f: ReportFilter) -> ReportFilter:
    """The filter's period widened to whole calendar weeks (Monday to Sunday).

    Free day ranges would let an attacker add one day at a time and watch where a figure
    flips; the public therefore only ever sees sums over whole weeks.
    """
    start = f.start - timedelta(days=f.start.weekday()) if f.start else None
    end = f.end + timedelta(days=6 - f.end.weekday()) if f.end else None
    return replace(f, start=start, end=end)
