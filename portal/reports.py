"""Reports of the regulations, each a function of the user (the same row
rules as the lists apply to every figure) and its parameters, returning a
table: columns, rows, and notes.

- complaint_statistics: 投诉统计表 per month and department (001-投诉 第十九条,
  due by the 5th of the next month; 002 篇四/篇五 by the 10th)
- patrol_monthly: 每月巡访情况报告书 from the daily patrol reports (001-服务 第十条)
- customers_by_grade: customers by grade and region (000-一 第五–八条)
- tracking_due: visits due and overdue per grade cadence (R-TRK-01..03)
- borrowing_overdue: loans not returned in time (WF-04)
- case_timeliness: on-time rate of cases per month (R-CMP)
- retention_due: records past their retention date (R-REC-11)
"""
from collections import OrderedDict, defaultdict
from datetime import date, datetime, timedelta

import permissions
from permissions import rules

from . import calendar, clock, registry
from .i18n import gettext, tr

REPORTS = OrderedDict()


class Report:
    def __init__(self, name, label, register, params, compute, source):
        self.name = name
        self.label = label
        self.register = register        # the register whose view permission it needs
        self.params = params            # [(name, label, kind)]
        self.compute = compute
        self.source = source


def report(name, label, register, params=(), source=""):
    def wrap(fn):
        REPORTS[name] = Report(name, label, register, list(params), fn, source)
        return fn
    return wrap


class Table:
    def __init__(self, columns, rows, notes=(), title=None):
        self.columns = columns          # [(key, label)]
        self.rows = rows                # [dict]
        self.notes = list(notes)
        self.title = title


def scoped(actor, name):
    spec = registry.get(name)
    if spec is None or not permissions.can(actor, "view", spec.model):
        return None
    return rules.scoped(actor, spec.model, "view")


def parse_month(value, default_previous=True):
    """'2026-10' → (first day, first day of next month)."""
    today = clock.today()
    try:
        year, month = (int(x) for x in (value or "").split("-")[:2])
        start = date(year, month, 1)
    except (ValueError, TypeError):
        first = date(today.year, today.month, 1)
        start = (first - timedelta(days=1)).replace(day=1) if default_previous else first
    end = calendar.add_months(start, 1)
    return start, end


def _dt(day):
    return datetime(day.year, day.month, day.day)


def _rate(part, whole):
    return f"{part * 100 / whole:.1f}%" if whole else "—"


# 投诉统计表 ---------------------------------------------------------------------

@report("complaint_statistics", "投诉统计表", "complaint",
        params=[("month", "月份", "month"), ("dept", "部门", "department")],
        source="001-投诉 第十九条; 002 篇四 第二十七条; 002 篇五 第九条(九)")
def complaint_statistics(actor, month=None, dept=None):
    from models import Complaint, Department
    query = scoped(actor, "complaint")
    start, end = parse_month(month)
    if query is None:
        return Table([], [])
    query = query.where(Complaint.received_at >= _dt(start), Complaint.received_at < _dt(end))
    if dept:
        query = query.where((Complaint.receiving_unit == dept) | (Complaint.dept == dept))
    names = {d.id: d.name for d in Department.select(Department.id, Department.name)}
    groups = defaultdict(lambda: defaultdict(int))
    hours = defaultdict(list)
    for c in query:
        key = c.__data__.get("receiving_unit") or c.__data__.get("dept")
        g = groups[key]
        g["total"] += 1
        g[f"type_{c.type}"] += 1
        g[f"level_{c.feedback_level or 'none'}"] += 1
        g[f"cause_{c.cause_class or 'none'}"] += 1
        if c.closed_at:
            g["closed"] += 1
            if c.due_at is None or c.closed_at <= c.due_at:
                g["on_time"] += 1
            hours[key].append((c.closed_at - c.received_at).total_seconds() / 3600)
    columns = [("dept", gettext("部门")), ("total", gettext("受理总数")),
               ("type_consultation", tr("咨询")), ("type_suggestion", tr("建议")),
               ("type_complaint", tr("投诉")), ("level_AA", "AA"), ("level_A", "A"), ("level_B", "B"),
               ("cause_quality", tr("质量异常(品质异常)")), ("cause_non_quality", tr("非质量异常(人为因素)")),
               ("closed", gettext("已结案")), ("on_time", gettext("按期结案")),
               ("on_time_rate", gettext("按期率")), ("avg_hours", gettext("平均处理时长(小时)"))]
    rows = []
    total = defaultdict(int)
    all_hours = []
    for key in sorted(groups, key=lambda k: names.get(k, "")):
        g = groups[key]
        row = {c: g.get(c, 0) for c, _ in columns[1:12]}
        row["dept"] = names.get(key, gettext("未分派"))
        row["on_time_rate"] = _rate(g["on_time"], g["closed"])
        row["avg_hours"] = round(sum(hours[key]) / len(hours[key]), 1) if hours[key] else "—"
        rows.append(row)
        for c, _ in columns[1:12]:
            total[c] += g.get(c, 0)
        all_hours += hours[key]
    if rows:
        summary = {c: total[c] for c, _ in columns[1:12]}
        summary.update(dept=gettext("合计"), on_time_rate=_rate(total["on_time"], total["closed"]),
                       avg_hours=round(sum(all_hours) / len(all_hours), 1) if all_hours else "—")
        rows.append(summary)
    due = calendar.rule_deadline("stats_001", _dt(start))
    notes = [gettext("统计期间：%(start)s 至 %(end)s", start=start.isoformat(),
                     end=(end - timedelta(days=1)).isoformat()),
             gettext("报送期限：%(due)s（次月5日前，交销售经理审核）", due=due.strftime("%Y-%m-%d"))]
    return Table(columns, rows, notes)


# 每月巡访情况报告书 ----------------------------------------------------------------

@report("patrol_monthly", "每月巡访情况报告书", "patrol_daily_report",
        params=[("month", "月份", "month")], source="001-服务 第九、十条")
def patrol_monthly(actor, month=None):
    from models import Customer, Employee, PatrolDailyEntry, PatrolDailyReport
    query = scoped(actor, "patrol_daily_report")
    start, end = parse_month(month)
    if query is None:
        return Table([], [])
    reports = list(query.where(PatrolDailyReport.date >= start, PatrolDailyReport.date < end))
    ids = [r.id for r in reports]
    entries = list(PatrolDailyEntry.select(PatrolDailyEntry, Customer.name.alias("customer_name"),
                                           Customer.region.alias("region_id"))
                   .join(Customer, on=(PatrolDailyEntry.customer == Customer.id))
                   .where(PatrolDailyEntry.report.in_(ids or [0])).objects())
    names = {e.id: e.name for e in Employee.select(Employee.id, Employee.name)}
    by_visitor = defaultdict(lambda: {"reports": 0, "visits": 0, "customers": set(), "opinions": [],
                                      "competitors": []})
    visitor_of = {r.id: r.__data__["visitor"] for r in reports}
    for r in reports:
        by_visitor[r.__data__["visitor"]]["reports"] += 1
    for e in entries:
        v = by_visitor[visitor_of[e.__data__["report"]]]
        v["visits"] += 1
        v["customers"].add(e.customer_name)
        if e.opinions:
            v["opinions"].append(f"{e.customer_name}：{e.opinions}")
        if e.competitors:
            v["competitors"].append(e.competitors)
    columns = [("visitor", gettext("巡回访问人员")), ("reports", gettext("日报数")),
               ("visits", gettext("巡访次数")), ("customers", gettext("巡访客户数")),
               ("opinions", gettext("客户意见摘要")), ("competitors", gettext("竞争对手动向"))]
    rows = [{"visitor": names.get(k, ""), "reports": v["reports"], "visits": v["visits"],
             "customers": len(v["customers"]), "opinions": "；".join(v["opinions"][:5]),
             "competitors": "；".join(v["competitors"][:3])}
            for k, v in sorted(by_visitor.items(), key=lambda kv: names.get(kv[0], ""))]
    notes = [gettext("由 %(n)s 份巡访日报表汇总", n=len(reports))]
    return Table(columns, rows, notes)


# 客户等级与区域 -----------------------------------------------------------------

@report("customers_by_grade", "客户等级区域分布", "customer", source="000-一 第五–八条")
def customers_by_grade(actor):
    from models import GRADE, Customer, Region
    query = scoped(actor, "customer")
    if query is None:
        return Table([], [])
    regions = {r.id: r.name for r in Region.select()}
    counts = defaultdict(lambda: defaultdict(int))
    for c in query.select(Customer.region, Customer.grade):
        counts[c.__data__["region"]][c.grade] += 1
    columns = [("region", gettext("区域"))] + [(code, tr(label)) for code, label in GRADE] + \
              [("total", gettext("合计"))]
    rows = []
    for rid in sorted(counts, key=lambda k: regions.get(k, "")):
        row = {"region": regions.get(rid, "")}
        row.update({code: counts[rid].get(code, 0) for code, _ in GRADE})
        row["total"] = sum(counts[rid].values())
        rows.append(row)
    if rows:
        total = {"region": gettext("合计")}
        for code, _ in GRADE + (("total", ""),):
            total[code] = sum(r[code] for r in rows)
        rows.append(total)
    return Table(columns, rows)


# 跟踪到期 ----------------------------------------------------------------------

@report("tracking_due", "客户跟踪到期与逾期", "customer", source="R-TRK-01..03（000-一 第六–八条）")
def tracking_due(actor):
    from models import GRADE, Customer
    query = scoped(actor, "customer")
    if query is None:
        return Table([], [])
    today = clock.today()
    month_end = calendar.add_months(date(today.year, today.month, 1), 1)
    counts = defaultdict(lambda: defaultdict(int))
    for c in query.select(Customer.grade, Customer.next_tracking_due).where(
            Customer.lifecycle_status.in_(["trading", "former", "prospect"])):
        g = counts[c.grade]
        g["customers"] += 1
        if c.next_tracking_due is None:
            continue
        if c.next_tracking_due < today:
            g["overdue"] += 1
        elif c.next_tracking_due < month_end:
            g["due"] += 1
    cadence = {}
    for code, _ in GRADE:
        rule = _sla(f"tracking_{code}")
        cadence[code] = gettext("%(n)s个月一次", n=int(rule.value)) if rule else ""
    columns = [("grade", gettext("客户等级")), ("cadence", gettext("跟踪周期")),
               ("customers", gettext("客户数")), ("due", gettext("本月到期")),
               ("overdue", gettext("已逾期"))]
    rows = [{"grade": tr(label), "cadence": cadence[code], "customers": counts[code]["customers"],
             "due": counts[code]["due"], "overdue": counts[code]["overdue"]} for code, label in GRADE]
    return Table(columns, rows)


def _sla(key):
    from models import SlaRule
    return SlaRule.get_or_none(SlaRule.key == key)


# 借阅逾期 ----------------------------------------------------------------------

@report("borrowing_overdue", "借阅逾期", "borrow_request", source="WF-04; 000-四 46")
def borrowing_overdue(actor):
    from models import BorrowRequest, Employee
    query = scoped(actor, "borrow_request")
    if query is None:
        return Table([], [])
    now = clock.now()
    late = query.where((BorrowRequest.state == "overdue")
                       | ((BorrowRequest.state == "lent") & (BorrowRequest.due_at < now)))
    names = {e.id: e.name for e in Employee.select(Employee.id, Employee.name)}
    columns = [("record_no", gettext("借阅编号")), ("title", gettext("档案名称")),
               ("borrower", gettext("借阅人")), ("custodian", gettext("保管人")),
               ("due_at", gettext("应还时间")), ("days", gettext("逾期天数"))]
    rows = [{"record_no": r.record_no, "title": r.title, "borrower": names.get(r.__data__["borrower"], ""),
             "custodian": names.get(r.__data__.get("custodian"), ""),
             "due_at": r.due_at.strftime("%Y-%m-%d %H:%M"),
             "days": max(0, (now - r.due_at).days)} for r in late.order_by(BorrowRequest.due_at)]
    return Table(columns, rows)


# 按期率 ------------------------------------------------------------------------

@report("case_timeliness", "投诉按期处理率", "complaint", params=[("months", "月数", "integer")],
        source="R-CMP-01..12")
def case_timeliness(actor, months=None):
    from models import Complaint
    query = scoped(actor, "complaint")
    if query is None:
        return Table([], [])
    try:
        months = max(1, min(int(months or 6), 36))
    except ValueError:
        months = 6
    today = clock.today()
    first = date(today.year, today.month, 1)
    start = calendar.add_months(first, -(months - 1))
    stats = defaultdict(lambda: {"closed": 0, "on_time": 0, "open_overdue": 0})
    now = clock.now()
    for c in query.where(Complaint.received_at >= _dt(start)):
        key = c.received_at.strftime("%Y-%m")
        if c.closed_at:
            stats[key]["closed"] += 1
            if c.due_at is None or c.closed_at <= c.due_at:
                stats[key]["on_time"] += 1
        elif c.due_at and c.due_at < now and c.state not in ("not_accepted", "archived"):
            stats[key]["open_overdue"] += 1
    columns = [("month", gettext("月份")), ("closed", gettext("已结案")), ("on_time", gettext("按期结案")),
               ("rate", gettext("按期率")), ("open_overdue", gettext("未结已逾期"))]
    rows = []
    for i in range(months):
        key = calendar.add_months(start, i).strftime("%Y-%m")
        s = stats[key]
        rows.append({"month": key, "closed": s["closed"], "on_time": s["on_time"],
                     "rate": _rate(s["on_time"], s["closed"]), "open_overdue": s["open_overdue"]})
    return Table(columns, rows)


# 保存期满 ----------------------------------------------------------------------

@report("retention_due", "超过保存期限的记录", "record_type_catalogue", source="R-REC-04, R-REC-11")
def retention_due(actor):
    today = clock.today()
    columns = [("register", gettext("记录名称")), ("name", gettext("登记簿")),
               ("count", gettext("已过保存期限")), ("oldest", gettext("最早到期"))]
    rows = []
    for spec in registry.all_specs():
        if "retention_until" not in spec.fields or not permissions.can(actor, "view", spec.model):
            continue
        Model = spec.model
        query = rules.scoped(actor, Model, "view").where(Model.retention_until < today,
                                                       Model.is_long_term == False)  # noqa: E712
        count = query.count()
        if count:
            from peewee import fn
            oldest = query.select(fn.MIN(Model.retention_until)).scalar()
            rows.append({"register": tr(spec.label), "name": spec.name, "count": count,
                         "oldest": oldest.isoformat() if oldest else ""})
    return Table(columns, rows, [gettext("到期记录经保管人提出、销售经理（客户记录）或总经理办公室（档案）批准后方可处理。")])


@report("handover_customers", "客户责任人变更通知清单", "handover_record",
        params=[("handover", "交接单ID", "integer")], source="003 §4.3 「應由公司及時通知有關客戶」")
def handover_customers(actor, handover=None):
    from .workflows.handover import customer_notice_rows
    columns = [("handover", gettext("交接单号")), ("customer", gettext("客户名称")),
               ("contact", gettext("联系人")), ("phone", gettext("电话")), ("role", gettext("变更事项")),
               ("old", gettext("原负责人")), ("new", gettext("新负责人"))]
    return Table(columns, customer_notice_rows(actor, handover))


def run(name, actor, params):
    rep = REPORTS.get(name)
    if rep is None:
        return None, None
    kwargs = {}
    for key, _, kind in rep.params:
        value = params.get(key)
        if value in (None, ""):
            continue
        if kind in ("department", "integer"):
            try:
                value = int(value)
            except ValueError:
                continue
        kwargs[key] = value
    return rep, rep.compute(actor, **kwargs)
