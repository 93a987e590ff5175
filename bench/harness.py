"""What the benchmark scripts share: gunicorn servers on a generated
database, logged-in HTTP sessions, timings and process memory."""
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = os.environ.get("PORTAL_DEMO_PASSWORD", "demo-pass")
DEFAULT_DB = "/tmp/portal-bench/bench.db"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn server (one sync worker unless told) on 127.0.0.1. A sync
    worker is killed after `timeout` seconds in one request, a streamed export
    included: the benchmarks allow an hour."""

    def __init__(self, app, db_path, workers=1, env=None, timeout=3600):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = dict(os.environ)
        environ.update({
            "PORTAL_DATABASE_URL": f"sqlite:///{db_path}",
            "PORTAL_INSTANCE": str(Path(db_path).parent),
            "PORTAL_SECRET_KEY": "bench-secret",
            "PYTHONPATH": str(ROOT),
        })
        environ.update(env or {})
        self.log = open(Path(db_path).parent / f"gunicorn-{self.port}.log", "w")
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--timeout", str(timeout), app],
            cwd=ROOT, env=environ, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, seconds=120):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                requests.get(self.url + "/login", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def worker_pids(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def portal_server(db_path=DEFAULT_DB, workers=1, env=None):
    env = dict({"PORTAL_QUERY_COUNT": "1"}, **(env or {}))
    return Server("wsgi:app", db_path, workers=workers, env=env)


def compare_server(db_path=DEFAULT_DB, user="clerk"):
    return Server("bench.compare_app:app", db_path, env={"BENCH_USER": user})


def login(base, username, password=PASSWORD):
    """A requests session logged in to the portal (CSRF token included)."""
    session = requests.Session()
    body = session.get(base + "/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    r = session.post(base + "/login", data={"username": username, "password": password,
                                            "csrf_token": token}, allow_redirects=False)
    if r.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {r.status_code}")
    session.csrf = token
    return session


def csrf_of(session, base, url):
    body = session.get(base + url).text
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', body)
    return match.group(1) if match else session.csrf


class Timing:
    def __init__(self, label):
        self.label = label
        self.seconds = []
        self.queries = []
        self.sql_ms = []
        self.statuses = set()

    def add(self, seconds, response):
        self.seconds.append(seconds)
        self.statuses.add(response.status_code)
        count = response.headers.get("X-Query-Count")
        if count is not None:
            self.queries.append(int(count))
        spent = response.headers.get("X-Query-Time")
        if spent is not None:
            self.sql_ms.append(float(spent))

    @property
    def median_ms(self):
        return statistics.median(self.seconds) * 1000 if self.seconds else None

    @property
    def p95_ms(self):
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000

    @property
    def sql_median_ms(self):
        return statistics.median(self.sql_ms) if self.sql_ms else None

    @property
    def sql(self):
        return max(self.queries) if self.queries else None


class _Reply:
    def __init__(self, status_code, headers):
        self.status_code = status_code
        self.headers = headers


def _get(session, url):
    """GET `url` with the session's cookies over a new connection (a sync
    gunicorn worker closes it after each request), through http.client: the
    time measured is the server's and the wire's, not that of a client
    library's cookie jar, proxy and netrc lookups (about 1 ms a request on
    this machine with requests)."""
    parts = urlsplit(url)
    cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers={"Cookie": cookies} if cookies else {})
        response = connection.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, value = header.split(";", 1)[0].partition("=")
            session.cookies.set(name.strip(), value.strip())     # a session renewed
        return _Reply(response.status, response.headers)
    finally:
        connection.close()


def measure(session, url, repeat=30, warmup=3, label=None):
    """GET `url` `repeat` times after `warmup` untimed calls, with the
    session's cookies; each time is from sending the request to the last
    byte of the response."""
    timing = Timing(label or url)
    for _ in range(warmup):
        _get(session, url)
    for _ in range(repeat):
        start = time.perf_counter()
        response = _get(session, url)
        timing.add(time.perf_counter() - start, response)
    return timing


def rss_mb(pid):
    """Resident memory of a process, in MB (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return 0.0
    return 0.0


class PeakMemory:
    """Samples the RSS of some processes every 20 ms in a thread; `peak` in MB."""

    def __init__(self, pids):
        self.pids = pids
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, max((rss_mb(p) for p in self.pids), default=0.0))
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def fmt(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}"
