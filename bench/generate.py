"""Generate a benchmark database: the demo organisation (users, departments,
regions), N customers and M complaints, inserted in bulk (executemany in
large transactions) into the schema `portal init-db` creates. Like any bulk
load, the tables' indexes and text index triggers are set aside during the
load and rebuilt after it (BulkLoad); rows written later keep them current.

    .venv/bin/python bench/generate.py --db /tmp/portal-bench/bench.db \
        --customers 50000 --complaints 1000000
"""
import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "demo-pass"

# Text of generated complaints: a weighing-equipment maker's cases.
PRODUCTS = ("电子汽车衡", "动态轴重秤", "轨道衡", "计重收费系统", "称重显示器", "称重传感器",
            "地磅", "超限检测设备", "电子台秤", "数据采集终端", "无人值守称重系统", "秤台")
PROBLEMS = ("称重数据偏差超出允许误差", "产品质量问题导致频繁故障", "显示器黑屏无法读数",
            "传感器进水后示值漂移", "安装调试延期交付", "售后服务响应不及时", "备件供应周期过长",
            "质量检验报告与实物不符", "秤台焊缝开裂", "数据上传接口经常中断", "发票金额与合同不一致",
            "维修人员服务态度差", "包装破损运输途中受损", "软件升级后计重结果异常",
            "零点漂移需要反复标定", "说明书与实际操作不一致", "更换配件后仍然故障",
            "现场培训不到位", "合同约定的保养未执行", "质量保证期内收取维修费用")
CAUSES = ("经现场检查，", "客户来电反映：", "据客户书面函件，", "巡访时客户提出，", "客户邮件投诉称，")
DETAILS = ("设备自去年投入使用以来多次出现同类问题，影响正常收费。",
           "客户要求尽快派技术人员到现场处理，并对损失给予说明。",
           "该问题已影响客户的月度结算，客户情绪较大。",
           "客户认为产品质量不稳定，要求更换整套设备。",
           "已初步判断为传感器接线盒受潮，需进一步检测。",
           "客户希望我司给出书面整改方案和完成时限。",
           "同批次设备在其他站点也有类似反映，需质量管理科统一分析。",
           "客户对上次维修结果不满意，再次投诉。",
           "要求退换货并赔偿停用期间的损失。",
           "客户同意先行临时处理，待备件到货后彻底修复。")
STATES = (("closed", 55), ("archived", 15), ("replied", 6), ("investigating", 6), ("assigned", 5),
          ("accepted", 4), ("registered", 4), ("under_review", 3), ("not_accepted", 2))
CHANNELS = ("phone", "letter", "visit", "email")
TYPES = ("complaint", "complaint", "complaint", "suggestion", "claim")
COMPANY = ("高速公路管理处", "交通运输局", "公路局", "煤业集团", "钢铁有限公司", "衡器经销部",
           "物流园区", "港口集团", "水泥股份公司", "矿业公司", "建材市场", "粮油收购站")
CITIES = ("西安", "宝鸡", "咸阳", "兰州", "石家庄", "太原", "南京", "杭州", "广州", "成都", "重庆",
          "昆明", "银川", "西宁", "郑州", "合肥", "济南", "长沙", "南昌", "福州")


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    pick = rng.uniform(0, total)
    for value, w in pairs:
        pick -= w
        if pick <= 0:
            return value
    return pairs[-1][0]


def make_app(db_path):
    os.environ.setdefault("PORTAL_INSTANCE", str(Path(db_path).parent))
    os.environ.setdefault("PORTAL_SECRET_KEY", "bench-secret")
    from portal import create_app
    return create_app({"DATABASE_URL": f"sqlite:///{db_path}",
                       "PASSWORD_METHOD": "pbkdf2:sha256:1000", "DEMO_PASSWORD": PASSWORD})


def template(model, skip):
    """Column -> database value of every field's default, for the columns not generated."""
    out = {}
    for field in model._meta.sorted_fields:
        if field.name in skip or field.name == "id":
            continue
        value = field.default() if callable(field.default) else field.default
        out[field.column_name] = field.db_value(value)
    return out


def bulk(db, model, columns, rows, batch=50_000):
    """executemany in transactions of `batch` rows."""
    table = model._meta.table_name
    sql = (f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '
           f'VALUES ({", ".join("?" * len(columns))})')
    conn = db.connection()
    chunk = []
    done = 0
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            with db.atomic():
                conn.executemany(sql, chunk)
            done += len(chunk)
            chunk = []
    if chunk:
        with db.atomic():
            conn.executemany(sql, chunk)
        done += len(chunk)
    return done


class BulkLoad:
    """Loading many rows at once: the table's indexes and text index triggers
    are dropped for the load, then the indexes are built again in one pass and
    the text index is filled with one INSERT ... SELECT (what the triggers
    would have written row by row, at a fraction of the cost)."""

    def __init__(self, db, model):
        self.db = db
        self.model = model
        self.table = model._meta.table_name

    def __enter__(self):
        rows = self.db.execute_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
            "AND type IN ('index', 'trigger')", (self.table,)).fetchall()
        self.saved = [sql for _, _, sql in rows]
        for kind, name, _ in rows:
            self.db.execute_sql(f'DROP {kind.upper()} "{name}"')
        return self

    def __exit__(self, *exc):
        from portal import registry, scale
        for sql in self.saved:
            if sql.upper().startswith("CREATE INDEX") or sql.upper().startswith("CREATE UNIQUE"):
                self.db.execute_sql(sql)
        spec = registry.spec_for(self.model)
        if spec is not None and spec.large:
            fts = scale.text_table(spec)
            fields = ", ".join(f'"{spec.fields[n].column_name}"' for n in spec.search)
            with self.db.atomic():
                self.db.execute_sql(f'INSERT INTO "{fts}"("{fts}") VALUES (\'delete-all\')')
                self.db.execute_sql(f'INSERT INTO "{fts}"(rowid, terms) '
                                    f'SELECT id, portal_bigrams({fields}) FROM "{self.table}"')
            self.db.execute_sql(f'INSERT INTO "{fts}"("{fts}") VALUES (\'optimize\')')
        for sql in self.saved:
            if sql.upper().startswith("CREATE TRIGGER"):
                self.db.execute_sql(sql)


def ts(value):
    return value.strftime("%Y-%m-%d %H:%M:%S")


def generate(db_path, n_customers, n_complaints, seed=20261203):
    from models import Complaint, Customer, Department, Employee, Region
    from portal.cli import create_schema
    from portal.db import connection, db
    from portal.numbering import NumberSeries
    from seed import seed_organisation
    from portal.accounts import hash_password

    rng = random.Random(seed)
    app = make_app(db_path)
    timings = {}
    with app.app_context(), connection():
        t0 = time.perf_counter()
        create_schema()
        seed_organisation(hash_password(PASSWORD))
        depts = {d.abbr: d.id for d in Department.select()}
        emps = list(Employee.select())
        by_dept = {}
        for e in emps:
            by_dept.setdefault(e.dept_id, []).append(e.id)
        regions = [r.id for r in Region.select()]
        users = {e.id: e.user_id for e in emps}
        today = date.today()

        # Customers ---------------------------------------------------------
        t = time.perf_counter()
        generated = ("record_no", "created_at", "created_by", "filled_at", "filled_by", "name",
                     "grade", "region", "account_owner", "responsible_dept", "lifecycle_status",
                     "contact_name", "phone", "address", "confidentiality", "custodian",
                     "retention_until", "next_tracking_due")
        base = template(Customer, generated)
        sales_depts = [depts["XS1"], depts["XS2"], depts["YX"]]
        clerk = next(e.id for e in emps if e.name == "刘静")
        cols = [Customer._meta.fields[n].column_name for n in generated] + list(base)
        fixed = tuple(base.values())
        serial = {}

        def customers():
            for i in range(n_customers):
                dept = sales_depts[i % 3]
                owner = rng.choice(by_dept.get(dept) or [clerk])
                abbr = {v: k for k, v in depts.items()}[dept]
                serial[abbr] = serial.get(abbr, 0) + 1
                filled = today - timedelta(days=rng.randrange(0, 2000))
                name = f"{rng.choice(CITIES)}{rng.choice(CITIES)}{rng.choice(COMPANY)}{i:05d}"
                level = "restricted" if i % 11 == 3 else ("sealed" if i % 53 == 9 else "internal")
                yield (f"{abbr}-{serial[abbr]:04d}", ts(datetime.combine(filled, datetime.min.time())),
                       users.get(clerk), filled.isoformat(), clerk, name,
                       "ABCD"[i % 7 % 4], regions[i % len(regions)], owner, dept,
                       ("trading", "trading", "prospect", "former")[i % 4],
                       f"{'王李张刘陈杨黄赵'[i % 8]}工", f"13{i % 10}{(i * 7919) % 100000000:08d}",
                       f"{rng.choice(CITIES)}市高新区科技路{i % 300 + 1}号", level, clerk,
                       (filled + timedelta(days=3 * 365)).isoformat(),
                       (filled + timedelta(days=90)).isoformat()) + fixed
        with BulkLoad(db, Customer):
            bulk(db, Customer, cols, customers())
        for abbr, last in serial.items():
            NumberSeries.insert(key=f"customer:{abbr}", last=last).on_conflict_replace().execute()
        timings["customers"] = time.perf_counter() - t
        customer_ids = [c.id for c in Customer.select(Customer.id)]

        # Complaints --------------------------------------------------------
        t = time.perf_counter()
        generated = ("record_no", "created_at", "created_by", "dept", "filled_at", "filled_by",
                     "state", "received_at", "received_by", "customer", "channel", "type", "title",
                     "content", "receiving_unit", "handler", "responsible_dept", "due_at",
                     "closed_at", "accepted", "retention_until")
        base = template(Complaint, generated)
        cols = [Complaint._meta.fields[n].column_name for n in generated] + list(base)
        fixed = tuple(base.values())
        # receiving departments: the sales departments and after-sales take most cases
        receiving = (("YX", 15), ("XS1", 20), ("XS2", 20), ("KF", 10), ("PZ", 15), ("JS", 10),
                     ("XZ", 10))
        responsible = ("PZ", "JS", "KF", "XS1", "XS2", "CW")
        start = datetime.combine(today, datetime.min.time()) - timedelta(days=3 * 365)
        step = (3 * 365 * 86400) / max(n_complaints, 1)
        month_serial = {}

        def complaints():
            for i in range(n_complaints):
                received = start + timedelta(seconds=int(i * step) + rng.randrange(0, 60))
                stamp = received.strftime("%y%m")
                month_serial[stamp] = month_serial.get(stamp, 0) + 1
                dept = depts[weighted(rng, receiving)]
                staff = by_dept.get(dept) or [clerk]
                receiver = rng.choice(staff)
                state = weighted(rng, STATES)
                product = rng.choice(PRODUCTS)
                problem = rng.choice(PROBLEMS)
                title = f"{product}{problem}"
                content = (f"{rng.choice(CAUSES)}{rng.choice(CITIES)}站点的{product}{problem}。"
                           f"{rng.choice(DETAILS)}{rng.choice(DETAILS)}")
                due = received + timedelta(days=7)
                closed = ts(received + timedelta(days=rng.randrange(1, 10))) \
                    if state in ("closed", "archived") else None
                yield (f"{stamp}-{month_serial[stamp]:02d}", ts(received), users.get(receiver),
                       dept, received.date().isoformat(), receiver, state, ts(received), receiver,
                       customer_ids[rng.randrange(len(customer_ids))], rng.choice(CHANNELS),
                       rng.choice(TYPES), title, content, dept, rng.choice(staff),
                       depts[rng.choice(responsible)] if state not in ("registered", "accepted")
                       else None, ts(due), closed,
                       "not_accepted" if state == "not_accepted" else "accepted",
                       (received.date() + timedelta(days=365)).isoformat()) + fixed
        with BulkLoad(db, Complaint):
            bulk(db, Complaint, cols, complaints())
        for stamp, last in month_serial.items():
            NumberSeries.insert(key=f"complaint:{stamp}", last=last).on_conflict_replace().execute()
        timings["complaints"] = time.perf_counter() - t
        t = time.perf_counter()
        db.execute_sql("ANALYZE")
        timings["analyze"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - t0
    return timings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/portal-bench/bench.db")
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--complaints", type=int, default=1_000_000)
    args = parser.parse_args()
    path = Path(args.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    timings = generate(path, args.customers, args.complaints)
    size = path.stat().st_size / 2 ** 20
    print(f"generated {args.customers:,} customers and {args.complaints:,} complaints in {path} "
          f"({size:,.0f} MB)")
    for name, seconds in timings.items():
        print(f"  {name:12} {seconds:8.1f} s")


if __name__ == "__main__":
    main()
