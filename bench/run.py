"""List, search, filter, details, API and export timings of the portal, side
by side with a stock Flask-Admin ModelView and a bare Flask + peewee page on
the same generated database, all three served by gunicorn (one worker).

    .venv/bin/python bench/run.py [--db /tmp/portal-bench/bench.db] [--user clerk]

Prints median and p95 (ms) and SQL statements per request (X-Query-Count),
then the query plans of the portal's list queries (no full scan of the table).
"""
import argparse
import html
import json
import re
import sys
from pathlib import Path
from urllib.parse import quote

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (DEFAULT_DB, compare_server, fmt, login, measure,  # noqa: E402
                           portal_server)

SHORT = "质量"
LONG = "传感器进水后示值漂移"
STATE = "investigating"


def state_filter_arg(body, code=STATE):
    """The URL argument of the first list filter offering `code` (an "equals" filter)."""
    match = re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', body, re.S)
    groups = json.loads(html.unescape(match.group(1)))
    for entries in groups.values():
        for entry in entries:
            if entry.get("options") and code in [o[0] for o in entry["options"]]:
                return f"flt0_{entry['arg']}"
    for label, entries in groups.items():          # the stock view: a text "equals" filter
        for entry in entries:
            if label in ("State", "状态") and entry["operation"] == "equals":
                return f"flt0_{entry['arg']}"
    raise RuntimeError("no state filter found")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--user", default="clerk", help="a non-administrator whose row rules apply")
    parser.add_argument("--exporter", default="salesmgr", help="a user who may export complaints")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-export", action="store_true",
                        help="leave out the export line (export.py measures exports)")
    parser.add_argument("--ref-repeat", type=int, default=10,
                        help="repetitions for the stock and bare pages (their scans take seconds)")
    args = parser.parse_args()
    n = args.repeat
    m = args.ref_repeat
    results = []

    with portal_server(args.db) as portal, compare_server(args.db, args.user) as ref:
        s = login(portal.url, args.user)
        p = portal.url
        portal_filter = state_filter_arg(s.get(p + "/complaint/").text)
        first_id = s.get(p + "/api/v1/complaint?per_page=1").json()["items"][0]["id"]
        ref_session, bare = requests.Session(), requests.Session()
        stock_filter = state_filter_arg(ref_session.get(ref.url + "/stock/complaint/").text)
        r = ref.url
        exporter = login(portal.url, args.exporter)
        rows = [
            ("list page 1", p + "/complaint/", r + "/stock/complaint/", r + "/bare/complaint"),
            ("list page 1,000", p + "/complaint/?page=999", r + "/stock/complaint/?page=999",
             r + "/bare/complaint?page=999"),
            (f"search {SHORT}", p + f"/complaint/?search={quote(SHORT)}",
             r + f"/stock/complaint/?search={quote(SHORT)}", r + f"/bare/complaint?search={quote(SHORT)}"),
            (f"search {LONG}", p + f"/complaint/?search={quote(LONG)}",
             r + f"/stock/complaint/?search={quote(LONG)}", r + f"/bare/complaint?search={quote(LONG)}"),
            (f"status filter ({STATE})", p + f"/complaint/?{portal_filter}={STATE}",
             r + f"/stock/complaint/?{stock_filter}={STATE}", r + f"/bare/complaint?state={STATE}"),
            ("details", p + f"/complaint/details/?id={first_id}",
             r + f"/stock/complaint/details/?id={first_id}", r + f"/bare/complaint/{first_id}"),
            ("API list (JSON)", p + "/api/v1/complaint", None, None),
        ]
        for label, portal_url, stock_url, bare_url in rows:
            line = [label, measure(s, portal_url, n)]
            line.append(measure(ref_session, stock_url, m, warmup=1) if stock_url else None)
            line.append(measure(bare, bare_url, m, warmup=1) if bare_url else None)
            results.append(line)
            print_line(line)
        if not args.no_export:
            # export: the complaints matching the long phrase (about 50,000), as
            # xlsx; the stock view and the bare page write CSV
            search = f"?search={quote(LONG)}"
            line = [f"export xlsx ({LONG})",
                    measure(exporter, p + f"/complaint/export/xlsx/{search}", max(3, m // 2), warmup=1),
                    measure(ref_session, r + f"/stock/complaint/export/csv/{search}", max(3, m // 2),
                            warmup=1),
                    measure(bare, r + f"/bare/complaint/export{search}", max(3, m // 2), warmup=1)]
            results.append(line)
            print_line(line)
    print()
    print_plans(args.db, args.user)


HEADER_DONE = []


def print_line(line):
    if not HEADER_DONE:
        print("median and p95: whole request (ms); SQL: statements per request; "
              "in SQL: median time executing them (ms)")
        print(f"{'request':34} | {'portal median':>13} {'p95':>7} {'SQL':>4} {'in SQL':>6} | "
              f"{'stock median':>12} {'p95':>7} {'SQL':>4} {'in SQL':>6} | "
              f"{'bare median':>11} {'p95':>7} {'SQL':>4} {'in SQL':>6}")
        print("-" * 144)
        HEADER_DONE.append(True)
    label, *timings = line
    cells = []
    for t in timings:
        if t is None:
            cells.append(f"{'—':>13} {'':>7} {'':>4} {'':>6}")
        else:
            bad = "" if t.statuses <= {200} else f" HTTP {sorted(t.statuses)}"
            cells.append(f"{fmt(t.median_ms):>13} {fmt(t.p95_ms):>7} {fmt(t.sql, 0):>4} "
                         f"{fmt(t.sql_median_ms):>6}{bad}")
    print(f"{label:34} | " + " | ".join(cells), flush=True)


def print_plans(db_path, username):
    """EXPLAIN QUERY PLAN of the portal's list queries for that user."""
    import os
    os.environ.setdefault("PORTAL_INSTANCE", str(Path(db_path).parent))
    os.environ.setdefault("PORTAL_SECRET_KEY", "bench-secret")
    from bench.plans import list_plans
    for label, plan in list_plans(db_path, username):
        print(f"query plan: {label}")
        for row in plan:
            print(f"    {row}")


if __name__ == "__main__":
    main()
