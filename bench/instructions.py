"""Instructions per request of portal pages, counted by valgrind's callgrind
(whole process, through Flask's test client): the same figure on every run,
whatever else the machine is doing, unlike wall times on a shared machine.

    .venv/bin/python bench/instructions.py [--db PATH] [--user clerk] [--requests 20] URL...

For each URL, two processes log in and request the page: one 3 times (warm
up), one 3 + N times; the difference of their instruction counts divided by
N is the cost of one request. Each process takes a few minutes under valgrind.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import DEFAULT_DB, PASSWORD  # noqa: E402

WARM_UP = 3


def requests_in_process(url, count, user):
    """Log in through the test client, then GET `url` WARM_UP + count times."""
    from wsgi import app
    client = app.test_client()
    body = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    r = client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token})
    if r.status_code != 302:
        raise SystemExit(f"login of {user} failed: {r.status_code}")
    for _ in range(WARM_UP + count):
        r = client.get(url)
        if r.status_code != 200:
            raise SystemExit(f"{url}: HTTP {r.status_code}")
        r.get_data()


def instructions(db, user, url, count):
    """Instructions executed by a process making WARM_UP + count requests."""
    env = dict(os.environ, PORTAL_DATABASE_URL=f"sqlite:///{db}",
               PORTAL_INSTANCE=str(Path(db).parent), PORTAL_SECRET_KEY="bench-secret")
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out",
             sys.executable, __file__, "--child", "--db", db, "--user", user,
             "--requests", str(count), url],
            env=env, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or not found:
        raise SystemExit(f"valgrind run failed:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--user", default="clerk")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        requests_in_process(args.urls[0], args.requests, args.user)
        return
    print(f"instructions per request ({args.requests} requests after {WARM_UP}, user {args.user})")
    for url in args.urls:
        base = instructions(args.db, args.user, url, 0)
        total = instructions(args.db, args.user, url, args.requests)
        print(f"{url:40} {(total - base) / args.requests / 1e6:8.1f} M", flush=True)


if __name__ == "__main__":
    main()
