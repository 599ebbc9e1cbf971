"""The first deployment of docs/deployment.md, run as written (issue 13, "Ready on day one").

The commands are read from the document's ``sh`` block and run as subprocesses, with this run's
own role, database, password, port and environment file substituted: a new PostgreSQL role and
database (dropped after), ``flask db upgrade``, ``flask users create``, gunicorn with the
repository's gunicorn.conf.py on a free loopback port. Then a workbook whose fund is sponsored by
province 440000 and whose project lies in county 441621 with industry class 3670 is imported with
the CLI, and the administrator signs in over HTTP and opens the home page.
"""

# ruff: noqa: S603, S607 - the test runs the documented commands (bash, flask, gunicorn on PATH)
from __future__ import annotations

import http.client
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import make_url, text

from app.models.database import make_engine

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deployment.md"

pytestmark = pytest.mark.postgres_only


def doc_commands() -> list[str]:
    """The shell block of "First deployment", as written."""
    section = DOC.read_text(encoding="utf-8").split("## First deployment", 1)[1]
    return [re.search(r"```sh\n(.*?)```", section, re.S).group(1)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port: int, method: str, path: str, cookie: str = "", body: str = ""):
    """One HTTP request; the session cookie is passed by hand, as a browser behind the TLS
    proxy would (it is ``Secure`` in production)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    page = response.read().decode("utf-8", "replace")
    cookies = [h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]
    connection.close()
    return response.status, response.getheader("Location"), cookies[-1] if cookies else cookie, page


def _workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    funds = book.active
    funds.title = "funds"
    funds.append(["code", "name", "sponsor_region", "manager", "class", "vintage", "target_size"])
    funds.append(["GD-DAY1", "广东产业转移基金", "440000", "粤财资本", "INDUSTRIAL", 2024,
                  "1000000000.00"])
    projects = book.create_sheet("projects")
    projects.append(["code", "name", "enterprise", "industry", "intensity", "source_region",
                     "destination_region", "cooperation_mode", "status"])
    projects.append(["P-DAY1", "汽车零部件项目", "河源某某科技有限公司", "3670", "CAPITAL",
                     "440306", "441621", "JOINT_PARK", "IMPLEMENTATION"])
    book.save(path)


def test_the_first_deployment_as_documented_works_on_a_new_database(database_url, tmp_path):
    server = make_url(database_url)
    name = f"ledger_{secrets.token_hex(4)}"
    password = secrets.token_hex(12)
    port = _free_port()
    env_file = tmp_path / "transfer-ledger.env"
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    script = doc_commands()[0]
    script = script.replace("/etc/transfer-ledger.env", "@ENV_FILE@")
    script = script.replace("psql -U postgres", f"psql -v ON_ERROR_STOP=1 {shlex.quote(admin_dsn)}")
    script = re.sub(r"\bledger\b", name, script).replace("change-me", password)
    script = script.replace("@ENV_FILE@", str(env_file))
    script = script.replace("127.0.0.1:5432", f"{server.host}:{server.port or 5432}")
    script = script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    setup, serve = script.rsplit("gunicorn ", 1)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    for key in ("APP_ENV", "TEST_DATABASE_URL", "DATABASE_URL", "SECRET_KEY"):
        env.pop(key, None)
    env["WEB_CONCURRENCY"] = "2"  # the CI machine has two cores shared with other jobs
    admin = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    gunicorn = None
    try:
        started = time.monotonic()
        done = subprocess.run(["bash", "-euc", setup], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        upgrade_seconds = time.monotonic() - started
        assert upgrade_seconds < 120, upgrade_seconds
        server_env = {**env, **dict(line.split("=", 1) for line in env_file.read_text()
                                    .splitlines() if "=" in line)}
        imported = subprocess.run(
            ["flask", "--app", "wsgi", "import", "workbook", str(_book(tmp_path))], cwd=ROOT,
            env=server_env, capture_output=True, text=True, timeout=300)
        assert imported.returncode == 0, imported.stderr
        assert "projects: 1 rows: 1 added" in imported.stdout
        gunicorn = subprocess.Popen(["bash", "-euc", f". {env_file}; export $(cut -d= -f1 "
                                     f"{env_file}); exec gunicorn {serve.strip()}"], cwd=ROOT,
                                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for(port, gunicorn)
        status, _location, cookie, page = _request(port, "GET", "/sign-in")
        assert status == 200
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
            re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        form = urllib.parse.urlencode({"csrf_token": token.group(1),
                                       "email": "you@bureau.example",
                                       "password": "a-long-passphrase"})
        status, location, cookie, _page = _request(port, "POST", "/sign-in", cookie, form)
        assert status == 302, _page[:500]
        status, _location, _cookie, home = _request(port, "GET", location or "/", cookie)
        assert status == 200
        assert "you@bureau.example" in home
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def _book(tmp_path: Path) -> Path:
    path = tmp_path / "day-one.xlsx"
    _workbook(path)
    return path


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not listen within 60 s")
