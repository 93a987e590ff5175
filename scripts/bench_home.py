"""Benchmark of the home page (dashboard) and the report pages: SQL queries
and response time per role, on the demo data set, optionally with the
customers and complaints copied N more times.

    .venv/bin/python scripts/bench_home.py [--copies N] [--runs R] [--page /]

Uses a fresh SQLite database in a temporary folder, or the database of
PORTAL_DATABASE_URL (which it empties first: never point it at real data).
Prints one line per role: queries per request, median and slowest time.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="portal-bench-")
os.environ.setdefault("PORTAL_INSTANCE", TMP)
os.environ.setdefault("PORTAL_SECRET_KEY", "bench")

ROLES = ("sales", "salesmgr", "clerk", "quality", "service", "gm")
PAGES = ("/", "/reports/complaint_statistics/", "/reports/case_timeliness/",
         "/reports/tracking_due/", "/reports/customers_by_grade/")


def build(copies):
    from portal import all_models, clock
    from portal.cli import create_schema
    from portal.db import db
    from seed import seed_demo
    db.drop_tables(list(reversed(all_models())), safe=True)
    create_schema()
    seed_demo()
    clock.set(None)
    from models import Complaint, Customer
    for model in (Customer, Complaint):
        rows = list(model.select().dicts())
        for k in range(copies):
            copied = [dict(r, id=None, record_no=f"{r['record_no']}-{k}") for r in rows]
            for row in copied:
                row.pop("id")
            with db.atomic():
                for i in range(0, len(copied), 200):
                    model.insert_many(copied[i:i + 200]).execute()
    return {m.__name__: m.select().count() for m in (Customer, Complaint)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=0)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--page", action="append", help="a page to measure (default: home and reports)")
    args = parser.parse_args()
    from portal import create_app
    overrides = {"TESTING": True, "DEMO_PASSWORD": "demo-pass", "PASSWORD_METHOD": "pbkdf2:sha256:1000"}
    if not os.environ.get("PORTAL_DATABASE_URL"):
        overrides["DATABASE_URL"] = f"sqlite:///{TMP}/bench.db"
    app = create_app(overrides)
    from portal.db import connection, db
    with app.test_request_context(), connection():
        sizes = build(args.copies)
    print(f"data: {sizes}, database: {db.obj.__class__.__name__}, runs per page: {args.runs}")
    statements = []
    db.obj.query_hooks.append(lambda event: statements.append(event.sql))
    print(f"{'page':38} {'role':9} {'queries':>7} {'median ms':>9} {'max ms':>7}")
    for page in args.page or PAGES:
        for role in ROLES:
            client = app.test_client()
            token_page = client.get("/login").get_data(as_text=True)
            token = token_page.split('name="csrf_token" value="')[1].split('"')[0]
            client.post("/login", data={"username": role, "password": "demo-pass", "csrf_token": token})
            times, counts = [], []
            for _ in range(args.runs):
                statements.clear()
                start = time.perf_counter()
                response = client.get(page)
                times.append((time.perf_counter() - start) * 1000)
                counts.append(len(statements))
                if response.status_code not in (200, 403):
                    raise SystemExit(f"{page} as {role}: HTTP {response.status_code}")
            if response.status_code == 403:
                continue
            print(f"{page:38} {role:9} {max(counts):7d} {statistics.median(times):9.1f} {max(times):7.1f}")


if __name__ == "__main__":
    main()
