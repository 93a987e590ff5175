"""Benchmark of the import: a generated customer workbook (100,000 rows by
default) read by the dry run and then imported, through the portal's own
code, on a fresh database.

    .venv/bin/python scripts/bench_import.py [--rows N] [--csv] [--no-tracemalloc | --tracemalloc-only]

Uses a fresh SQLite database in a temporary folder, or the database of
PORTAL_DATABASE_URL (which it empties first: never point it at real data).
Prints, for the dry run and the import: seconds (wall clock, and the CPU
time of this process, which a busy machine does not inflate), rows per second, the peak
of Python allocations (tracemalloc, measured in a second, slower pass) and
the process's resident memory (RSS) before and at its peak.
"""
import argparse
import os
import random
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="portal-bench-")
os.environ.setdefault("PORTAL_INSTANCE", TMP)
os.environ.setdefault("PORTAL_SECRET_KEY", "bench")

HEADER = ["客户名称", "客户类型", "客户等级", "区域", "客户管理责任人", "联系人姓名", "电话", "地址",
          "填写日期", "销售额", "客户标签", "行业类别"]


def generate(path, rows, as_csv):
    """A workbook like a clerk's: names, choices by label, regions and
    employees by name, dates in several forms, amounts."""
    import xlsxwriter
    rng = random.Random(7)
    regions = ("西北区", "西南区", "华北区")
    owners = ("张伟", "李娜", "王强")
    grades = ("A类", "B类", "C类", "D类")
    start = date(2020, 1, 1)

    def row(i):
        day = start + timedelta(days=i % 2000)
        written = (day.isoformat(), day.strftime("%Y/%m/%d"), f"{day.year}年{day.month}月{day.day}日")[i % 3]
        return [f"导入客户{i:06d}", "单位客户", grades[i % 4], regions[i % 3], owners[i % 3],
                f"联系人{i % 977}", f"029-{8000_0000 + i}", f"西安市高新区科技路{i}号", written,
                round(rng.uniform(1000, 900000), 2), "vip、回头客" if i % 5 == 0 else "",
                "一般客户"]
    if as_csv:
        import csv
        with open(path, "w", encoding="gb18030", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(HEADER)
            for i in range(rows):
                out.writerow(row(i))
        return
    # shared strings, as Excel writes them (constant_memory would write inline strings)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for i in range(rows):
        sheet.write_row(i + 1, 0, row(i))
    book.close()


class RssPeak:
    """Samples the resident memory of this process while a phase runs."""

    def __init__(self):
        self.peak = self.start = rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())


def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def mb(n):
    return f"{n / 1024 / 1024:7.1f} MB"


def fresh_database():
    from portal import all_models
    from portal.accounts import hash_password
    from portal.cli import create_schema
    from portal.db import db, is_sqlite
    from seed import seed_organisation
    if is_sqlite():
        db.execute_sql("PRAGMA foreign_keys = OFF")
        db.drop_tables(list(reversed(all_models())), safe=True)
        db.execute_sql("PRAGMA foreign_keys = ON")
    else:
        db.drop_tables(list(reversed(all_models())), safe=True, cascade=True)
    create_schema()
    seed_organisation(hash_password("demo-pass"))


def run_phase(app, name, path, file_name, traced):
    from portal import importer, registry
    from portal.accounts import User
    from portal.db import connection
    from flask_login import login_user
    with app.test_request_context(), connection():
        actor = User.get(User.username == "clerk")
        login_user(actor)
        spec = registry.get("customer")
        if traced:
            tracemalloc.start()
        with RssPeak() as memory:
            started, cpu = time.perf_counter(), time.process_time()
            if name == "dry run":
                outcome = importer.dry_run(actor, spec, path, file_name)
            else:
                outcome = importer.import_file(actor, spec, path, file_name)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] if traced else None
        if traced:
            tracemalloc.stop()
    if outcome.file_error or outcome.error_count:
        raise SystemExit(f"{name}: {outcome.file_error or outcome.errors[:5]}")
    return outcome, seconds, cpu, memory, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--csv", action="store_true", help="a GB18030 CSV file instead of xlsx")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="skip the second, traced pass (Python allocation peaks)")
    parser.add_argument("--tracemalloc-only", action="store_true", help="only the traced pass")
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate), args.rows, args.csv)
        return
    from portal import create_app
    overrides = {"TESTING": True, "PASSWORD_METHOD": "pbkdf2:sha256:1000"}
    if not os.environ.get("PORTAL_DATABASE_URL"):
        overrides["DATABASE_URL"] = f"sqlite:///{TMP}/bench.db"
    app = create_app(overrides)
    from portal.db import connection, db
    path = Path(TMP) / ("customers.csv" if args.csv else "customers.xlsx")
    started = time.perf_counter()
    # in a child process, so that its memory does not count in the figures below
    import subprocess
    subprocess.run([sys.executable, __file__, "--generate", str(path), "--rows", str(args.rows)]
                   + (["--csv"] if args.csv else []), check=True)
    print(f"file: {path.name}, {args.rows} rows, {path.stat().st_size / 1024 / 1024:.1f} MB, "
          f"generated in {time.perf_counter() - started:.1f} s; database: {db.obj.__class__.__name__}")
    passes = [False] if args.no_tracemalloc else [True] if args.tracemalloc_only else [False, True]
    for traced in passes:
        with app.app_context(), connection():
            fresh_database()
        label = "traced pass (tracemalloc on, slower)" if traced else "timed pass"
        print(label)
        for name in ("dry run", "import"):
            outcome, seconds, cpu, memory, peak = run_phase(app, name, path, path.name, traced)
            line = (f"  {name:8} {seconds:6.1f} s (CPU {cpu:5.1f} s)  {outcome.rows / seconds:6.0f} rows/s  "
                    f"created {outcome.created}  RSS {mb(memory.start)} -> peak {mb(memory.peak)}")
            if peak is not None:
                line += f"  tracemalloc peak {mb(peak)}"
            print(line)
        with app.app_context(), connection():
            from models import Customer
            from portal.audit import AuditEvent
            print(f"  customers {Customer.select().count()}, audit events "
                  f"{AuditEvent.select().where(AuditEvent.action == 'import').count()}")


if __name__ == "__main__":
    main()
