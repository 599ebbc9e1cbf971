"""Screening projects against the transfer guidance catalogue (catalogue.md): the results per
project and edition (``results``) and a person's decision on a REVIEW result (``decisions``).

The package sits between ``funds``/``sharing`` and the base: it reads the Project model and the
catalogue editions of ``reference``, never a capability above it, so that the project register
(``funds.projects``) can re-screen a project in the writer's transaction.
"""

from app.services.screening.decisions import decide, may_decide, result_by_id
from app.services.screening.results import (
    Activation,
    Change,
    Flagged,
    Shown,
    activate,
    changes,
    counts,
    current_flags,
    current_results,
    flag_counts,
    flag_filter,
    flags_of,
    rescreen,
    result_of,
    screen_all,
    screen_project,
    shown,
)

__all__ = [
    "Activation", "Change", "Flagged", "Shown", "activate", "changes", "counts",
    "current_flags", "current_results",
    "decide", "flag_counts", "flag_filter", "flags_of", "may_decide", "rescreen",
    "result_by_id", "result_of", "screen_all", "screen_project", "shown",
]
