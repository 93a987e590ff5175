"""Load test: 20 concurrent logged-in users for 60 s against gunicorn on
127.0.0.1, each doing a mix of list, search, details, create, edit and
approve (accept a new complaint) on the complaint register. Runs on a copy of
the generated database.

    .venv/bin/python bench/load.py [--db /tmp/portal-bench/bench.db] [--users 20] [--seconds 60]

Prints median and p95 per operation, the HTTP status counts (no 5xx allowed)
and checks afterwards, in the database, that every write the server
acknowledged is there: every created complaint, the last title each edit
saved, the state each approval set (no lost writes).
"""
import argparse
import queue
import random
import sqlite3
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.handover import copy_database  # noqa: E402
from bench.harness import DEFAULT_DB, csrf_of, login, portal_server  # noqa: E402

CREATORS = ("clerk", "sales", "sales2", "regional")
APPROVER = "salesmgr"
TERMS = ("质量", "传感器", "黑屏", "交付", "称重数据偏差", "售后服务响应不及时", "秤台", "发票")
MIX = (("list", 30), ("search", 20), ("details", 20), ("create", 12), ("edit", 10), ("approve", 8))


class Shared:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.status = Counter()
        self.created = {}           # id -> title the server last acknowledged
        self.accepted = set()
        self.to_approve = queue.Queue()
        self.errors = []

    def note(self, op, seconds, response):
        with self.lock:
            self.latency[op].append(seconds)
            self.status[response.status_code] += 1
            if response.status_code >= 500:
                self.errors.append(f"{op} {response.request.method} {response.url} "
                                   f"{response.status_code}")


def user_loop(base, username, shared, deadline, seed, customers):
    rng = random.Random(seed)
    session = login(base, username)
    token = csrf_of(session, base, "/complaint/new/")
    headers = {"X-CSRFToken": token}
    me = session.get(base + "/api/v1/me").json()
    mine = []                       # [id, version] created by this user, not yet handed on
    ops = [op for op, w in MIX for _ in range(w)]
    while time.time() < deadline:
        op = rng.choice(ops)
        if username == APPROVER and op in ("create", "edit"):
            op = "approve"
        if username != APPROVER and op == "approve":
            op = "list"
        start = time.perf_counter()
        if op == "list":
            r = session.get(f"{base}/complaint/?page={rng.randrange(50)}")
        elif op == "search":
            r = session.get(f"{base}/complaint/?search={quote(rng.choice(TERMS))}")
        elif op == "details":
            ids = [i for i, _ in mine] or [None]
            pk = rng.choice(ids)
            if pk is None:
                listed = session.get(f"{base}/api/v1/complaint?per_page=20&page={rng.randrange(1, 20)}")
                pk = rng.choice(listed.json()["items"])["id"]
                start = time.perf_counter()
            r = session.get(f"{base}/complaint/details/?id={pk}")
        elif op == "create":
            title = f"负载测试 {username} {seed}-{rng.randrange(10**9)} 称重显示器故障"
            r = session.post(f"{base}/api/v1/complaint", headers=headers, json={
                "customer": rng.choice(customers), "title": title,
                "content": "客户来电反映显示器黑屏，要求尽快上门处理。", "type": "complaint",
                "received_by": me["employee_id"], "matter": "显示器故障",
                "cause_class": "quality"})     # accepting needs it (the approver's step)
            if r.status_code == 201:
                body = r.json()
                mine.append([body["id"], body["version"]])
                with shared.lock:
                    shared.created[body["id"]] = title
        elif op == "edit":
            if not mine:
                continue
            item = rng.choice(mine)
            title = f"负载测试 已编辑 {username} {rng.randrange(10**9)}"
            r = session.patch(f"{base}/api/v1/complaint/{item[0]}", headers=headers,
                              json={"version": item[1], "title": title})
            if r.status_code == 200:
                item[1] = r.json()["version"]
                with shared.lock:
                    shared.created[item[0]] = title
            if len(mine) > 3:       # hand the oldest on for approval; no more edits to it
                shared.to_approve.put(mine.pop(0)[0])
        else:  # approve
            try:
                pk = shared.to_approve.get_nowait()
            except queue.Empty:
                continue
            r = session.post(f"{base}/api/v1/complaint/{pk}/accept", headers=headers, json={})
            if r.status_code == 200:
                with shared.lock:
                    shared.accepted.add(pk)
        shared.note(op, time.perf_counter() - start, r)


def check(db_path, shared):
    """Every acknowledged write is in the database."""
    with sqlite3.connect(db_path) as conn:
        rows = dict(((i, (t, s)) for i, t, s in conn.execute(
            "SELECT id, title, state FROM complaint WHERE title LIKE '负载测试%'")))
    missing = [i for i in shared.created if i not in rows]
    wrong_title = [i for i, t in shared.created.items() if i in rows and rows[i][0] != t]
    not_accepted = [i for i in shared.accepted if rows.get(i, (None, None))[1] != "accepted"]
    extra = [i for i in rows if i not in shared.created]
    return missing, wrong_title, not_accepted, extra


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()
    copy = Path(args.db).parent / "load.db"
    copy_database(args.db, copy)
    with sqlite3.connect(copy) as conn:
        # customer files every creator may read: internal files of 销售一部
        customers = [r[0] for r in conn.execute(
            "SELECT c.id FROM customer c JOIN department d ON d.id = c.responsible_dept_id "
            "WHERE d.abbr = 'XS1' AND c.confidentiality = 'internal' AND c.deleted_at IS NULL "
            "ORDER BY c.id DESC LIMIT 200")]
    shared = Shared()
    with portal_server(copy, workers=args.workers) as server:
        deadline = time.time() + args.seconds
        threads = []
        for n in range(args.users):
            username = APPROVER if n % 4 == 3 else CREATORS[n % len(CREATORS)]
            t = threading.Thread(target=user_loop, args=(server.url, username, shared,
                                                         deadline, n, customers))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
    missing, wrong_title, not_accepted, extra = check(copy, shared)

    total = sum(len(v) for v in shared.latency.values())
    print(f"load: {args.users} users, {args.seconds} s, gunicorn {args.workers} workers, "
          f"{total:,} requests ({total / args.seconds:.0f}/s)")
    print(f"{'operation':10} {'count':>7} {'median ms':>10} {'p95 ms':>8}")
    everything = []
    for op, _ in MIX:
        values = sorted(shared.latency.get(op, []))
        everything += values
        if values:
            print(f"{op:10} {len(values):7} {statistics.median(values) * 1000:10.1f} "
                  f"{values[int(0.95 * (len(values) - 1))] * 1000:8.1f}")
    everything.sort()
    if everything:
        print(f"{'all':10} {len(everything):7} {statistics.median(everything) * 1000:10.1f} "
              f"{everything[int(0.95 * (len(everything) - 1))] * 1000:8.1f}")
    print("HTTP statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(shared.status.items())))
    fives = sum(v for k, v in shared.status.items() if k >= 500)
    print(f"5xx responses: {fives}")
    for line in shared.errors[:10]:
        print("   ", line)
    print(f"writes acknowledged: {len(shared.created)} complaints created, "
          f"{len(shared.accepted)} accepted")
    print(f"lost writes: {len(missing)} created missing, {len(wrong_title)} edits lost, "
          f"{len(not_accepted)} approvals lost; {len(extra)} rows not acknowledged")
    return 0 if not (fives or missing or wrong_title or not_accepted) else 1


if __name__ == "__main__":
    sys.exit(main())
