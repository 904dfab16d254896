"""A measure's evaluation as a role may see it (Maßnahmen page and the agenda)."""

from __future__ import annotations

from reports.analysis.evaluation import Evaluation, evaluation_of_counts
from reports.privacy.access import Role, policy_for


def published_evaluation(result: Evaluation, role: Role) -> Evaluation:
    """``result`` as ``role`` may see it: for the public, recomputed from the published
    window counts (area, comparison area, ring), so its numbers and its verdict carry nothing
    the published counts do not."""
    policy = policy_for(role)
    ring = result.displacement
    counts = [result.area.before, result.area.after, result.comparison.before,
              result.comparison.after, ring.before if ring else 0, ring.after if ring else 0]
    if policy.exact or not any(counts):  # no counts: the windows' own message
        return result
    if len(result.key_sums) != len(counts):
        raise ValueError("public figures need the record key sums of the evaluation")
    values = policy.values(policy.publish(counts, list(result.key_sums))).tolist()
    return evaluation_of_counts(result.windows, (values[0], values[1]), (values[2], values[3]),
                                (values[4], values[5]), result.note)
