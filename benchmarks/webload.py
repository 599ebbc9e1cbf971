"""The load side of ``bench_web.py`` and ``bench_nation.py``: gunicorn servers, nginx in front of
them (``Proxy``), sign-in by the form, a bounded load generator (``wrk --latency``, or a fixed
number of Python client threads when wrk is missing), and the unit every bar is counted in."""

from __future__ import annotations

import http.client
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX_TEMPLATE = ROOT / "benchmarks" / "nginx-bench.conf"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Load:
    """What a load run measured: latency percentiles in ms, throughput, and failures."""

    p50_ms: float
    p99_ms: float
    requests_per_s: float
    requests: int
    failures: int
    tool: str


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def program(name: str) -> str:
    """A console script of the running interpreter's environment (the venv's ``flask``,
    ``gunicorn``), else the one on ``PATH``."""
    beside = Path(sys.executable).parent / name
    local = ROOT / ".venv" / "bin" / name
    return str(next((p for p in (beside, local) if p.exists()), name))


def unit_of(trivial_p99s: list[float]) -> float:
    """The unit of a run: the median of the trivial view's p99s measured across it, in ms."""
    finite = [p for p in trivial_p99s if math.isfinite(p)]
    return statistics.median(finite) if finite else math.nan


class Server:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` with 2 sync workers on a free local port
    (``env`` adds settings, e.g. ``TRUSTED_PROXIES=1`` behind the proxy)."""

    def __init__(self, url: str, log_dir: Path, name: str, workers: int = 2,
                 env: dict[str, str] | None = None, secret: str | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"gunicorn-{name}.log"  # the last run's logs, kept for diagnosis
        for old in (self.log, log_dir / f"access-{name}.log"):
            old.unlink(missing_ok=True)
        env = {**os.environ, "APP_ENV": "production", "DATABASE_URL": url,
               "SECRET_KEY": secret or os.urandom(32).hex(), "WEB_CONCURRENCY": str(workers),
               "GUNICORN_THREADS": "1", "GUNICORN_BIND": f"127.0.0.1:{self.port}",
               "GUNICORN_ACCESS_LOG": str(log_dir / f"access-{name}.log"),
               "GUNICORN_ERROR_LOG": str(self.log), **(env or {})}
        self.process = subprocess.Popen(  # noqa: S603
            [program("gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"], cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until ``/health/ready`` answers 200 (raise with the server's log otherwise)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                status, _headers, body = request(self.base, "GET", "/health/ready")
                if status == 200:
                    return
                last = body[:300]
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        self.stop()
        tail = self.log.read_text(encoding="utf-8", errors="replace")[-3000:] \
            if self.log.exists() else ""
        raise RuntimeError(f"gunicorn did not become ready: {locals().get('last')}\n{tail}")

    def stop(self) -> None:
        """Stop the master (and so its workers) gracefully."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Proxy:
    """Debian's nginx in front of app servers: ``benchmarks/nginx-bench.conf`` (the upstream
    and proxy settings of the production configuration, without TLS) filled in with a free
    port and one ``server`` line per app server, run in the foreground from a temporary prefix
    (no root, no system configuration touched)."""

    def __init__(self, upstreams: list[int], log_dir: Path,
                 nginx: str = "/usr/sbin/nginx"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        (self.prefix / "logs").mkdir()
        self.log = log_dir / "nginx-error.log"
        self.log.unlink(missing_ok=True)
        servers = "\n".join(f"        server 127.0.0.1:{port};" for port in upstreams)
        config = NGINX_TEMPLATE.read_text(encoding="utf-8").format(
            prefix=self.prefix, port=self.port, servers=servers, error_log=self.log,
            static=ROOT / "app" / "static")
        self.config = self.prefix / "nginx.conf"
        self.config.write_text(config, encoding="utf-8")
        self.process = subprocess.Popen(  # noqa: S603
            [nginx, "-p", str(self.prefix), "-c", str(self.config)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until ``/health/ready`` answers 200 through the proxy."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                status, _headers, body = request(self.base, "GET", "/health/ready")
                if status == 200:
                    return
                last = f"HTTP {status} {body[:200]}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        self.stop()
        tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:] \
            if self.log.exists() else ""
        raise RuntimeError(f"nginx did not pass requests on: {last}\n{tail}")

    def stop(self) -> None:
        """Stop nginx (QUIT: finish the requests in flight) and remove its prefix."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)


def request(base: str, method: str, path: str, *, body: str | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, str]:
    """One HTTP request; the status, the headers and the decoded body."""
    parsed = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _session_cookie(headers: http.client.HTTPMessage) -> str | None:
    for value in headers.get_all("Set-Cookie") or []:
        pair = value.split(";", 1)[0]
        if pair.startswith("session="):
            return pair
    return None


def sign_in(base: str, email: str, password: str) -> str:
    """Sign in through the form (CSRF token and all); the ``session=…`` cookie pair."""
    status, headers, page = request(base, "GET", "/sign-in")
    match = CSRF.search(page)
    cookie = _session_cookie(headers)
    if status != 200 or not match or not cookie:
        raise RuntimeError(f"the sign-in page gave no form token (status {status})")
    form = urllib.parse.urlencode({"csrf_token": match.group(1) or match.group(2),
                                   "email": email, "password": password})
    status, headers, _page = request(base, "POST", "/sign-in", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    signed_in = _session_cookie(headers)
    if status != 302 or not signed_in:
        raise RuntimeError(f"signing in as {email} failed (status {status})")
    return signed_in


def run(base: str, path: str, cookie: str | None, seconds: float, connections: int) -> Load:
    """Load ``path`` for ``seconds`` with ``connections`` concurrent clients (wrk if present)."""
    if shutil.which("wrk"):
        return _wrk(base + path, cookie, seconds, connections)
    return _threads(base, path, cookie, seconds, connections)


def _wrk(url: str, cookie: str | None, seconds: float, connections: int) -> Load:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
               "--timeout", "10s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    out = done.stdout
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", out, re.MULTILINE))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failures = (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors
                                                    else 0)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if total == 0:  # not one answer within the time: slower than the run itself
        return Load(math.inf, math.inf, 0.0, 0, failures + connections, "wrk")
    return Load(_ms(percentiles["50"]), _ms(percentiles["99"]), rate, total, failures, "wrk")


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()
    return float(number) * UNITS[unit]


def _threads(base: str, path: str, cookie: str | None, seconds: float,
             connections: int) -> Load:
    """The fallback: ``connections`` threads, each one request at a time, for ``seconds``."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    headers = {"Cookie": cookie} if cookie else {}
    deadline = time.perf_counter() + seconds

    def client() -> None:
        mine, bad = [], 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, _headers, _body = request(base, "GET", path, headers=headers)
            except OSError:
                status = 0
            mine.append((time.perf_counter() - started) * 1000)
            bad += not 200 <= status < 400
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pick(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies \
            else math.inf

    return Load(pick(0.50), pick(0.99), len(latencies) / elapsed, len(latencies), failures[0],
                f"python×{connections}")
