"""Two ``notify send`` processes at once on PostgreSQL (a database of their own, committed for
real): every e-mail is claimed by one of them (``FOR UPDATE SKIP LOCKED``) and sent once."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.domain.codes import Role
from app.models import Notification, set_actor
from app.services.notifications.outbox import Event, raise_event
from tests.factories import make_user
from tests.mail import Catcher, SmtpServer

ROOT = Path(__file__).resolve().parents[2]
COUNT = 120

pytestmark = pytest.mark.postgres_only


class SlowCatcher(Catcher):
    """Takes a moment per message, so that the two runs overlap."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


def test_two_runs_at_once_send_each_email_once(committing_engine):
    tag = uuid.uuid4().hex[:10]
    with Session(committing_engine, expire_on_commit=False) as session:
        set_actor(session, None, "tests")
        readers = [make_user(session, Role.FINANCE_BUREAU, "440300",
                             email=f"race{n}-{tag}@example.cn") for n in range(3)]
        for number in range(COUNT):
            raise_event(session, Event("query_answered", f"race:{tag}:{number}",
                                       {"answer": str(number)}, "/"),
                        {readers[number % 3].id})
        session.commit()
        ids = set(session.scalars(select(Notification.id).where(
            Notification.event_key.like(f"race:{tag}:%"))))
    server = SmtpServer(catcher=SlowCatcher()).start()
    try:
        env = {**os.environ, "APP_ENV": "testing", "MAIL_URL": server.url,
               "DATABASE_URL": committing_engine.url.render_as_string(hide_password=False)}
        runs = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "notify",
                                  "send"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [run.communicate(timeout=300) for run in runs]
    finally:
        server.stop()
    assert [run.returncode for run in runs] == [0, 0], outputs
    found = [re.search(r"\.n(\d+)@", m["Message-ID"]) for m in server.catcher.messages]
    sent = Counter(int(f.group(1)) for f in found if f and int(f.group(1)) in ids)
    assert set(sent) == ids and set(sent.values()) == {1}
    per_run = [int(re.search(r"sent (\d+)", out).group(1)) for out, _err in outputs]
    assert sum(per_run) >= COUNT
    with Session(committing_engine) as session:
        states = set(session.scalars(select(Notification.email_state).where(
            Notification.id.in_(ids))))
        assert states == {"SENT"}
        session.execute(delete(Notification).where(Notification.id.in_(ids)))
        session.commit()
