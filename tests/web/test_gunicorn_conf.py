"""``gunicorn.conf.py``: gunicorn's settings come from the environment, and each worker starts
with its own database pool and a frozen heap."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import text

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_bind_workers_timeouts_and_logs_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "90")
    monkeypatch.setenv("GUNICORN_PRELOAD", "1")
    settings = runpy.run_path(str(CONF))
    assert settings["bind"] == ["0.0.0.0:9000"]
    assert (settings["workers"], settings["threads"], settings["worker_class"]) == (3, 4,
                                                                                   "gthread")
    assert settings["timeout"] == 90
    assert settings["preload_app"] is True


def test_by_default_logs_go_to_stdout_and_stderr_with_the_request_time(monkeypatch):
    for name in ("GUNICORN_ACCESS_LOG", "GUNICORN_ERROR_LOG", "GUNICORN_THREADS",
                 "GUNICORN_PRELOAD"):
        monkeypatch.delenv(name, raising=False)
    settings = runpy.run_path(str(CONF))
    assert (settings["accesslog"], settings["errorlog"]) == ("-", "-")
    assert "%(M)s" in settings["access_log_format"]  # duration in milliseconds
    assert settings["worker_class"] == "sync"
    assert settings["preload_app"] is False


def test_a_started_worker_drops_the_inherited_pool_and_freezes_the_heap(app, monkeypatch):
    """... and collects its youngest generation every GUNICORN_GC_GEN0 allocations (the older
    generations keep their thresholds)."""
    monkeypatch.setenv("GUNICORN_GC_GEN0", "40000")
    settings = runpy.run_path(str(CONF))
    thresholds = gc.get_threshold()
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:  # as if the master had connected before forking
        connection.execute(text("SELECT 1"))
    inherited = engine.pool
    gc.unfreeze()
    try:
        settings["post_worker_init"](SimpleNamespace(wsgi=app))
        assert engine.pool is not inherited
        assert engine.pool.checkedin() == 0
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (40000, *thresholds[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
