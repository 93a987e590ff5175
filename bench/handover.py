"""Handover benchmark: an employee holding many records (on the generated
database, 李娜 owns thousands of customers and handles thousands of open
complaints) is handed over to a colleague: the list is gathered, every item
assigned, then executed in one transaction. Runs on a copy of the database.

    .venv/bin/python bench/handover.py [--db /tmp/portal-bench/bench.db] [--employee 李娜]
"""
import argparse
import os
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import DEFAULT_DB  # noqa: E402


def copy_database(source, target):
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--employee", default="李娜")
    parser.add_argument("--successor", default="张伟")
    args = parser.parse_args()
    copy = Path(args.db).parent / "handover.db"
    start = time.perf_counter()
    copy_database(args.db, copy)
    print(f"copied the database in {time.perf_counter() - start:.1f} s")

    os.environ.setdefault("PORTAL_INSTANCE", str(copy.parent))
    os.environ.setdefault("PORTAL_SECRET_KEY", "bench-secret")
    from flask_login import login_user
    from models import Complaint, Customer, Employee, HandoverItem, HandoverRecord
    from portal import create_app, services
    from portal.accounts import User
    from portal.audit import AuditEvent
    from portal.db import connection
    app = create_app({"DATABASE_URL": f"sqlite:///{copy}"})
    with app.test_request_context("/"), connection():
        hr = User.get(User.username == "hr")
        login_user(hr)
        emp = Employee.get(Employee.name == args.employee)
        successor = Employee.get(Employee.name == args.successor)
        held_customers = Customer.select().where(Customer.account_owner == emp.id).count()
        flow = HandoverRecord._spec.workflow

        t = time.perf_counter()
        record = services.create(hr, HandoverRecord, {"employee": emp, "reason": "resignation",
                                                      "last_day": date.today()})
        gathered = time.perf_counter() - t
        items = HandoverItem.select().where(HandoverItem.handover == record.id).count()

        t = time.perf_counter()
        record = flow.run(hr, record, "assign", {"successor": str(successor.id)})
        assigned = time.perf_counter() - t

        t = time.perf_counter()
        record = flow.run(hr, record, "execute", {"comment": "离职交接（基准测试）"})
        executed = time.perf_counter() - t

        left = Customer.select().where(Customer.account_owner == emp.id).count()
        cases = Complaint.select().where(Complaint.handler == emp.id,
                                         Complaint.state.in_(Complaint._spec.workflow.running_states())
                                         ).count()
        events = AuditEvent.select().where(AuditEvent.action == "hand_over").count()
    print(f"handover of {args.employee} ({held_customers:,} customers owned) to {args.successor}: "
          f"{items:,} items")
    print(f"  list gathered (create)     {gathered:7.2f} s")
    print(f"  all items assigned         {assigned:7.2f} s")
    print(f"  executed (one transaction) {executed:7.2f} s   -> state {record.state}, "
          f"{events:,} audit events")
    print(f"  still held afterwards: {left} customers, {cases} open complaints")


if __name__ == "__main__":
    main()
