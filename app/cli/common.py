"""What every command shares: one transaction, errors on standard error with exit status 1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from app.db import get_session
from app.models import set_actor
from app.services.errors import Conflict, NotFound, ServiceError, ValidationFailed


def fail(message: str) -> None:
    """Print ``message`` to standard error and exit with status 1."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@contextmanager
def unit_of_work(label: str) -> Iterator[Session]:
    """A session whose changes are committed once at the end, or not at all on any error."""
    session = get_session()
    set_actor(session, None, f"cli:{label}")
    try:
        yield session
        session.commit()
    except ValidationFailed as exc:
        session.rollback()
        lines = [f"{field}: {message}" for field, messages in exc.errors.items()
                 for message in messages]
        fail("nothing was written.\n  " + "\n  ".join(lines))
    except (NotFound, Conflict, ServiceError) as exc:
        session.rollback()
        fail(f"{exc} (nothing was written)")
    except BaseException:
        session.rollback()
        raise
