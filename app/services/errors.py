"""The errors services raise; the web, the API and the CLI turn them into messages."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a use case raises on purpose."""


class ValidationFailed(ServiceError):
    """Input that breaks a business rule; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]] | None = None, **fields: str):
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
        for field, message in fields.items():
            self.errors.setdefault(field, []).append(message)
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


class NotFound(ServiceError):
    """Nothing there, or not in the user's scope: the two are deliberately indistinguishable."""


class Conflict(ServiceError):
    """Someone else changed the record since it was read; nothing was written."""


def require(errors: dict[str, list[str]]) -> None:
    """Raise ValidationFailed if any field has an error."""
    if any(errors.values()):
        raise ValidationFailed({k: v for k, v in errors.items() if v})
