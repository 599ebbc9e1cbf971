"""The limits of reading one hostile file live in ``app/services/limits.py`` (shared with the
documents' content checks); the import modules keep importing them from here."""

from app.services.limits import (
    MB,
    RATIO_FROM,
    Budget,
    LimitExceeded,
    Limits,
    UnreadableFile,
    check_archive,
)

__all__ = ["MB", "RATIO_FROM", "Budget", "LimitExceeded", "Limits", "UnreadableFile",
           "check_archive"]
