"""Export benchmark: N complaint rows (default 500,000) as xlsx through the
portal (gunicorn, one worker, streamed) against a bare loop writing the same
rows (same query, same columns with the related titles) with XlsxWriter in
constant_memory mode, in the same run.

    .venv/bin/python bench/export.py [--db /tmp/portal-bench/bench.db] [--rows 500000]

Prints: total time of both and their ratio (target: portal <= 1.1 x bare),
time to the first bytes in the browser (target <= 2 s) and the peak memory of
the gunicorn worker, sampled every 20 ms (target <= 100 MB).
"""
import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import DEFAULT_DB, PeakMemory, login, portal_server, rss_mb  # noqa: E402


def cutoff_for(db_path, rows):
    """received_at above which exactly the newest `rows` complaints lie."""
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT received_at FROM complaint WHERE deleted_at IS NULL "
                            "ORDER BY id DESC LIMIT 1 OFFSET ?", (rows,)).fetchone()[0]


def export_query(cutoff):
    """The rows and columns the portal exports for that filter (salesmgr reads every complaint)."""
    from admin_views import listing
    from admin_views.export import export_columns
    from models import Complaint
    spec = Complaint._spec
    query = Complaint.select().where(Complaint.received_at > cutoff, Complaint.deleted_at.is_null())
    titled, aliases = listing.with_titles(query, spec, export_columns(spec))
    return listing.order(titled, spec, [("id", True)], aliases)


def bare(db_path, cutoff, out):
    """The reference: a plain loop over the rows into XlsxWriter (constant_memory)."""
    import xlsxwriter
    from portal import all_models
    from portal.db import db, open_database
    open_database(f"sqlite:///{db_path}")
    all_models()
    start = time.perf_counter()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    sheet = book.add_worksheet()
    rows = 0
    with db.atomic():
        for r, row in enumerate(export_query(cutoff).tuples().iterator()):
            for c, value in enumerate(row):
                sheet.write(r, c, "、".join(value) if isinstance(value, list) else value)
            rows += 1
    book.close()
    print(f"{rows} {time.perf_counter() - start:.3f}")


def filter_arg(db_path):
    """The list filter "received_at greater than" of the complaint list."""
    os.environ.setdefault("PORTAL_INSTANCE", str(Path(db_path).parent))
    os.environ.setdefault("PORTAL_SECRET_KEY", "bench-secret")
    from flask_admin.contrib.peewee.filters import DateTimeGreaterFilter
    from portal import create_app
    create_app({"DATABASE_URL": f"sqlite:///{db_path}"})
    from admin_views import VIEWS
    view = VIEWS["complaint"]
    for i, flt in enumerate(view._filters):
        if flt.column.name == "received_at" and isinstance(flt, DateTimeGreaterFilter):
            return view.get_filter_arg(i, flt)
    raise RuntimeError("no received_at filter")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--user", default="salesmgr", help="a user who may export complaints")
    parser.add_argument("--bare", metavar="CUTOFF", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        return bare(args.db, args.bare, args.out)

    cutoff = cutoff_for(args.db, args.rows)
    out_dir = Path(args.db).parent
    arg = filter_arg(args.db)

    # 1. the bare loop, in its own process
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--db", args.db, "--bare", cutoff,
                           "--out", str(out_dir / "bare-export.xlsx")],
                          capture_output=True, text=True, check=True)
    bare_total = time.perf_counter() - start
    bare_rows, bare_loop = done.stdout.split()[-2:]
    bare_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    bare_size = (out_dir / "bare-export.xlsx").stat().st_size

    # 2. the portal, streamed to a client that writes the bytes to a file
    with portal_server(args.db) as server:
        session = login(server.url, args.user)
        workers = server.worker_pids()
        idle = max(rss_mb(p) for p in workers)
        url = f"{server.url}/complaint/export/xlsx/?flt0_{arg}={cutoff.replace(' ', '+')}"
        size = 0
        with PeakMemory(workers) as memory, open(out_dir / "portal-export.xlsx", "wb") as out:
            start = time.perf_counter()
            response = session.get(url, stream=True)
            first = None
            # chunk_size=None: each piece as it arrives (a fixed size would
            # wait for that many bytes before the first one counts)
            for chunk in response.iter_content(chunk_size=None):
                if first is None:
                    first = time.perf_counter() - start
                out.write(chunk)
                size += len(chunk)
            total = time.perf_counter() - start
        status = response.status_code
    with sqlite3.connect(args.db) as conn:       # the export's audit event says how many rows it wrote
        row = conn.execute("SELECT changes FROM audit_event WHERE action = 'export' "
                           "ORDER BY id DESC LIMIT 1").fetchone()
    portal_rows = json.loads(row[0])["rows"][1] if row else None

    print(f"export of {int(bare_rows):,} complaint rows (received after {cutoff}), xlsx")
    print(f"  bare XlsxWriter loop (constant_memory): {bare_total:7.1f} s "
          f"(loop {float(bare_loop):.1f} s), peak {bare_rss:.0f} MB, {bare_size / 2**20:.1f} MB file")
    print(f"  portal streaming export (HTTP {status}): {total:7.1f} s, "
          f"{size / 2**20:.1f} MB received, {portal_rows:,} rows")
    print(f"  time ratio portal / bare loop:   {total / float(bare_loop):5.2f}   (target <= 1.10)")
    print(f"  first bytes in the browser after {first:5.2f} s (target <= 2 s)")
    print(f"  peak memory of the gunicorn worker: {memory.peak:.0f} MB "
          f"(idle {idle:.0f} MB; target <= 100 MB)")


if __name__ == "__main__":
    main()
