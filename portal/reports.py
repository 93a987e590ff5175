"""Reports of the regulations, each a function of the user (the same row
rules as the lists apply to every figure) and its parameters, returning a
table: typed columns, rows, notes, and optional further tables (parts).

- complaint_statistics: 投诉统计表 per month (or half-year) and department
  (001-投诉 第十九条, due by the 5th of the next month; 002 篇四/篇五 by the
  10th; 002 篇十一 half-yearly)
- patrol_monthly: 每月巡访情况报告书 from the daily patrol reports (001-服务 第十条)
- customers_by_grade: customers by grade and region (000-一 第五–八条)
- tracking_due: visits due and overdue per grade cadence (R-TRK-01..03)
- borrowing_overdue: loans not returned in time (WF-04)
- case_timeliness: on-time rate of cases per month (R-CMP)
- retention_due: records past their retention date (R-REC-11)
"""
from collections import OrderedDict, defaultdict
from datetime import date, datetime, timedelta

from peewee import fn

import permissions

from . import calendar, clock, registry
from .i18n import gettext, tr

REPORTS = OrderedDict()


class Report:
    def __init__(self, name, label, register, params, compute, source):
        self.name = name
        self.label = label
        self.register = register        # the register whose view permission it needs
        # [(name, label, kind, options)]; kind: month, department, region, integer, choice, boolean
        self.params = [tuple(p) + (None,) * (4 - len(p)) for p in params]
        self.compute = compute
        self.source = source


def report(name, label, register, params=(), source=""):
    def wrap(fn_):
        REPORTS[name] = Report(name, label, register, list(params), fn_, source)
        return fn_
    return wrap


class Table:
    def __init__(self, columns, rows, notes=(), title=None, parts=()):
        # [(key, label, kind)]; kind: text, int, number, percent, date, datetime
        self.columns = [tuple(c) + ("text",) * (3 - len(c)) for c in columns]
        # [dict] of typed values; a row's "_lists" maps a column to the field
        # values of the register list that the figure counts
        self.rows = rows
        self.notes = list(notes)
        self.title = title
        self.parts = list(parts)        # further tables of the same report


def cell_text(value, kind="text"):
    """A typed report value as shown on the page."""
    if value is None or value == "":
        return "—" if kind in ("percent", "number") else ""
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def scoped(actor, name):
    spec = registry.get(name)
    if spec is None or not permissions.can(actor, "view", spec.model):
        return None
    return permissions.rows(actor, "view", spec.model)


def parse_month(value, default_previous=True):
    """'2026-10' → (first day, first day of next month)."""
    today = clock.today()
    try:
        year, month = (int(x) for x in (value or "").split("-")[:2])
        if not 1900 <= year <= 9000:       # the next month must exist too
            raise ValueError(year)
        start = date(year, month, 1)
    except (ValueError, TypeError):
        first = date(today.year, today.month, 1)
        start = (first - timedelta(days=1)).replace(day=1) if default_previous else first
    end = calendar.add_months(start, 1)
    return start, end


def _dt(day):
    return datetime(day.year, day.month, day.day)


def _rate(part, whole):
    return part / whole if whole else None


def _names(model):
    return {r.id: r.name for r in model.select(model.id, model.name)}


# 投诉统计表 ---------------------------------------------------------------------

GROUPINGS = (("receiving_unit", "受理单位"), ("responsible_dept", "责任部门"))


@report("complaint_statistics", "投诉统计表", "complaint",
        params=[("month", "月份", "month"), ("half_year", "按半年汇总", "boolean"),
                ("dept", "部门", "department"), ("group", "统计口径", "choice", GROUPINGS)],
        source="001-投诉 第十九条; 002 篇四 第二十七条; 002 篇五 第九条(九); 002 篇十一")
def complaint_statistics(actor, month=None, dept=None, group=None, half_year=None):
    from models import RESOLUTION_MODES, Complaint, Department
    query = scoped(actor, "complaint")
    start, end = parse_month(month)
    if half_year:      # 002 篇十一: the half-year of that month (Jan–Jun, Jul–Dec)
        start = date(start.year, 1 if start.month <= 6 else 7, 1)
        end = calendar.add_months(start, 6)
    if query is None:
        return Table([], [])
    query = query.where(Complaint.received_at >= _dt(start), Complaint.received_at < _dt(end))
    if dept:
        query = query.where((Complaint.receiving_unit == dept) | (Complaint.dept == dept)
                            | (Complaint.responsible_dept == dept))
    by_responsible = group == "responsible_dept"
    names = _names(Department)
    groups = defaultdict(lambda: defaultdict(int))
    hours = defaultdict(list)
    results = defaultdict(int)
    for c in query.select(Complaint.type, Complaint.feedback_level, Complaint.cause_class,
                          Complaint.receiving_unit, Complaint.dept, Complaint.responsible_dept,
                          Complaint.resolution_mode, Complaint.received_at, Complaint.closed_at,
                          Complaint.due_at):
        data = c.__data__
        key = data.get("responsible_dept") if by_responsible else (
            data.get("receiving_unit") or data.get("dept"))
        g = groups[key]
        g["total"] += 1
        g[f"type_{c.type}"] += 1
        g[f"level_{c.feedback_level or 'none'}"] += 1
        g[f"cause_{c.cause_class or 'none'}"] += 1
        results[c.resolution_mode] += 1
        if c.closed_at:
            g["closed"] += 1
            if c.due_at is None or c.closed_at <= c.due_at:
                g["on_time"] += 1
            hours[key].append((c.closed_at - c.received_at).total_seconds() / 3600)
    counted = ["total", "type_consultation", "type_suggestion", "type_complaint", "level_AA",
               "level_A", "level_B", "cause_quality", "cause_non_quality", "closed", "on_time"]
    columns = [("dept", gettext("责任部门") if by_responsible else gettext("部门")),
               ("total", gettext("受理总数"), "int"),
               ("type_consultation", tr("咨询"), "int"), ("type_suggestion", tr("建议"), "int"),
               ("type_complaint", tr("投诉"), "int"), ("level_AA", "AA", "int"), ("level_A", "A", "int"),
               ("level_B", "B", "int"), ("cause_quality", tr("质量异常(品质异常)"), "int"),
               ("cause_non_quality", tr("非质量异常(人为因素)"), "int"),
               ("closed", gettext("已结案"), "int"), ("on_time", gettext("按期结案"), "int"),
               ("on_time_rate", gettext("按期率"), "percent"),
               ("share", gettext("占比"), "percent"),
               ("avg_hours", gettext("平均处理时长(小时)"), "number")]
    everything = sum(g["total"] for g in groups.values())
    unassigned = gettext("未认定") if by_responsible else gettext("未分派")
    rows = []
    for key in sorted(groups, key=lambda k: (k is None, names.get(k, ""))):
        g = groups[key]
        row = {c: g.get(c, 0) for c in counted}
        row.update(dept=names.get(key, unassigned), on_time_rate=_rate(g["on_time"], g["closed"]),
                   share=_rate(g["total"], everything),
                   avg_hours=round(sum(hours[key]) / len(hours[key]), 1) if hours[key] else None)
        rows.append(row)
    if rows:
        all_hours = [h for values in hours.values() for h in values]
        summary = {c: sum(r[c] for r in rows) for c in counted}
        summary.update(dept=gettext("合计"), on_time_rate=_rate(summary["on_time"], summary["closed"]),
                       share=1.0 if everything else None,
                       avg_hours=round(sum(all_hours) / len(all_hours), 1) if all_hours else None)
        rows.append(summary)
    modes = dict(RESOLUTION_MODES)
    result_rows = [{"result": tr(modes[code]) if code else gettext("尚未核决"), "count": n,
                    "share": _rate(n, everything)}
                   for code, n in sorted(results.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))]
    results_table = Table([("result", gettext("处理结果")), ("count", gettext("件数"), "int"),
                           ("share", gettext("占比"), "percent")], result_rows,
                          title=gettext("按处理结果统计"))
    if half_year:
        due = calendar.rule_deadline("stats_half_year", _dt(calendar.add_months(start, 4)))
        when = gettext("报送期限：%(due)s（6月、12月前10日汇总半年）", due=due.strftime("%Y-%m-%d")) \
            if due else ""
    else:
        due = calendar.rule_deadline("stats_001", _dt(start))
        when = gettext("报送期限：%(due)s（次月5日前，交销售经理审核）", due=due.strftime("%Y-%m-%d")) \
            if due else ""
    notes = [gettext("统计期间：%(start)s 至 %(end)s", start=start.isoformat(),
                     end=(end - timedelta(days=1)).isoformat())] + ([when] if when else [])
    return Table(columns, rows, notes, parts=[results_table])


# 每月巡访情况报告书 ----------------------------------------------------------------

@report("patrol_monthly", "每月巡访情况报告书", "patrol_daily_report",
        params=[("month", "月份", "month"), ("region", "区域", "region"),
                ("dept", "部门", "department")], source="001-服务 第九、十条")
def patrol_monthly(actor, month=None, region=None, dept=None):
    from models import Customer, Employee, PatrolDailyEntry, PatrolDailyReport
    query = scoped(actor, "patrol_daily_report")
    start, end = parse_month(month)
    if query is None:
        return Table([], [])
    reports = query.where(PatrolDailyReport.date >= start, PatrolDailyReport.date < end)
    if dept:
        reports = reports.where(PatrolDailyReport.dept == dept)
    entries = (PatrolDailyEntry.select(PatrolDailyEntry, Customer.name.alias("customer_name"))
               .join(Customer, on=(PatrolDailyEntry.customer == Customer.id))
               .where(PatrolDailyEntry.report.in_(reports.select(PatrolDailyReport.id))))
    if region:          # the region's customers (the report of a regional head)
        entries = entries.where(Customer.region == region)
    entries = list(entries.order_by(PatrolDailyEntry.visited_at).objects())
    visitor_of = {r.id: r.__data__["visitor"] for r in
                  reports.select(PatrolDailyReport.id, PatrolDailyReport.visitor)}
    names = _names(Employee)
    by_visitor = defaultdict(lambda: {"reports": set(), "visits": 0, "customers": set(),
                                      "opinions": [], "competitors": []})
    for e in entries:
        report_id = e.__data__["report"]
        v = by_visitor[visitor_of[report_id]]
        v["reports"].add(report_id)
        v["visits"] += 1
        v["customers"].add(e.__data__["customer"])
        if e.opinions:
            v["opinions"].append(f"{e.customer_name}：{e.opinions}")
        if e.competitors:
            v["competitors"].append(e.competitors)
    if not region:      # a daily report with no customer line still counts as filed
        for report_id, visitor in visitor_of.items():
            by_visitor[visitor]["reports"].add(report_id)
    columns = [("visitor", gettext("巡回访问人员")), ("reports", gettext("日报数"), "int"),
               ("visits", gettext("巡访次数"), "int"), ("customers", gettext("巡访客户数"), "int"),
               ("opinions", gettext("客户意见摘要")), ("competitors", gettext("竞争对手动向"))]
    rows = [{"visitor": names.get(k, ""), "reports": len(v["reports"]), "visits": v["visits"],
             "customers": len(v["customers"]), "opinions": "；".join(v["opinions"][:5]),
             "competitors": "；".join(v["competitors"][:3])}
            for k, v in sorted(by_visitor.items(), key=lambda kv: names.get(kv[0], ""))]
    if rows:
        rows.append({"visitor": gettext("合计"), "reports": sum(r["reports"] for r in rows),
                     "visits": len(entries), "customers": len({e.__data__["customer"] for e in entries}),
                     "opinions": "", "competitors": ""})
    filed = len({r for v in by_visitor.values() for r in v["reports"]})
    due = calendar.rule_deadline("patrol_monthly_report", _dt(start))
    notes = [gettext("由 %(n)s 份巡访日报表汇总", n=filed)]
    if due:
        notes.append(gettext("呈报期限：%(due)s（区域销售主管呈报企业主管领导）", due=due.strftime("%Y-%m-%d")))
    return Table(columns, rows, notes)


# 客户等级与区域 -----------------------------------------------------------------

def _lifecycle():
    from models import LIFECYCLE
    return LIFECYCLE


@report("customers_by_grade", "客户等级区域分布", "customer",
        params=[("status", "交易状态", "choice", _lifecycle)], source="000-一 第五–八条")
def customers_by_grade(actor, status=None):
    from models import GRADE, Customer, Region
    query = scoped(actor, "customer")
    if query is None:
        return Table([], [])
    if status:
        query = query.where(Customer.lifecycle_status == status)
    regions = _names(Region)
    counts = defaultdict(lambda: defaultdict(int))
    grouped = (query.select(Customer.region, Customer.grade, fn.COUNT(Customer.id).alias("n"))
               .group_by(Customer.region, Customer.grade))
    for row in grouped.dicts():
        counts[row["region"]][row["grade"]] += row["n"]
    columns = [("region", gettext("区域"))] + [(code, tr(label), "int") for code, label in GRADE] + \
              [("total", gettext("合计"), "int")]
    rows = []
    # each figure opens the customer list it counts (report pages link "_lists")
    status_filter = {"lifecycle_status": status} if status else {}
    for rid in sorted(counts, key=lambda k: regions.get(k, "")):
        row = {"region": regions.get(rid, "")}
        row.update({code: counts[rid].get(code, 0) for code, _ in GRADE})
        row["total"] = sum(counts[rid].values())
        row["_lists"] = {code: dict(status_filter, region=rid, grade=code) for code, _ in GRADE}
        row["_lists"]["total"] = dict(status_filter, region=rid)
        rows.append(row)
    if rows:
        total = {"region": gettext("合计")}
        for code, _ in GRADE + (("total", ""),):
            total[code] = sum(r[code] for r in rows)
        total["_lists"] = {code: dict(status_filter, grade=code) for code, _ in GRADE}
        total["_lists"]["total"] = status_filter
        rows.append(total)
    return Table(columns, rows)


# 跟踪到期 ----------------------------------------------------------------------

TRACKED_STATES = ("trading", "former", "prospect")


@report("tracking_due", "客户跟踪到期与逾期", "customer", params=[("region", "区域", "region")],
        source="R-TRK-01..03（000-一 第六–八条）")
def tracking_due(actor, region=None):
    from models import GRADE, Customer, Employee, Region
    query = scoped(actor, "customer")
    if query is None:
        return Table([], [])
    query = query.where(Customer.lifecycle_status.in_(TRACKED_STATES))
    if region:
        query = query.where(Customer.region == region)
    today = clock.today()
    month_end = calendar.add_months(date(today.year, today.month, 1), 1)
    counts = defaultdict(lambda: defaultdict(int))
    for c in query.select(Customer.grade, Customer.next_tracking_due):
        g = counts[c.grade]
        g["customers"] += 1
        if c.next_tracking_due is None:
            continue
        if c.next_tracking_due < today:
            g["overdue"] += 1
        elif c.next_tracking_due < month_end:
            g["due"] += 1
    from models import SlaRule
    rules_by_key = {r.key: r for r in SlaRule.select().where(
        SlaRule.key.in_([f"tracking_{code}" for code, _ in GRADE]), SlaRule.deleted_at.is_null())}
    cadence = {code: gettext("%(n)s个月一次", n=int(rules_by_key[f"tracking_{code}"].value))
               if f"tracking_{code}" in rules_by_key else "" for code, _ in GRADE}
    columns = [("grade", gettext("客户等级")), ("cadence", gettext("跟踪周期")),
               ("customers", gettext("客户数"), "int"), ("due", gettext("本月到期"), "int"),
               ("overdue", gettext("已逾期"), "int")]
    rows = [{"grade": tr(label), "cadence": cadence[code], "customers": counts[code]["customers"],
             "due": counts[code]["due"], "overdue": counts[code]["overdue"]} for code, label in GRADE]
    # R-TRK-03: the list of customers whose tracking date has passed
    regions, people = _names(Region), _names(Employee)
    late = query.select(Customer.id, Customer.record_no, Customer.name, Customer.grade, Customer.region,
                        Customer.account_owner, Customer.last_tracked_at, Customer.next_tracking_due) \
        .where(Customer.next_tracking_due < today).order_by(Customer.next_tracking_due, Customer.id)
    grades = dict(GRADE)
    overdue = Table([("record_no", gettext("记录编号")), ("name", gettext("客户名称")),
                     ("grade", gettext("客户等级")), ("region", gettext("区域")),
                     ("owner", gettext("客户管理责任人")), ("last", gettext("最近跟踪日期"), "date"),
                     ("due", gettext("下次跟踪期限"), "date"), ("days", gettext("逾期天数"), "int")],
                    [{"record_no": c.record_no, "name": c.name, "grade": tr(grades.get(c.grade, c.grade)),
                      "region": regions.get(c.__data__["region"], ""),
                      "owner": people.get(c.__data__["account_owner"], ""), "last": c.last_tracked_at,
                      "due": c.next_tracking_due, "days": (today - c.next_tracking_due).days}
                     for c in late],
                    title=gettext("已逾期未跟踪的客户"))
    return Table(columns, rows, parts=[overdue])


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
    names = _names(Employee)
    columns = [("record_no", gettext("借阅编号")), ("title", gettext("档案名称")),
               ("borrower", gettext("借阅人")), ("custodian", gettext("保管人")),
               ("due_at", gettext("应还时间"), "datetime"), ("days", gettext("逾期天数"), "int")]
    rows = [{"record_no": r.record_no, "title": r.title, "borrower": names.get(r.__data__["borrower"], ""),
             "custodian": names.get(r.__data__.get("custodian"), ""), "due_at": r.due_at,
             "days": max(0, (now - r.due_at).days)} for r in late.order_by(BorrowRequest.due_at)]
    return Table(columns, rows)


# 按期率 ------------------------------------------------------------------------

def month_key(column):
    """'YYYY-MM' of a date/time column, in SQL (SQLite or PostgreSQL)."""
    from .db import is_postgres
    if is_postgres():
        return fn.to_char(column, "YYYY-MM")
    return fn.strftime("%Y-%m", column)


@report("case_timeliness", "投诉按期处理率", "complaint",
        params=[("months", "月数", "integer"), ("dept", "部门", "department")], source="R-CMP-01..12")
def case_timeliness(actor, months=None, dept=None):
    from models import Complaint
    query = scoped(actor, "complaint")
    if query is None:
        return Table([], [])
    months = max(1, min(int(months or 6), 36))
    today = clock.today()
    start = calendar.add_months(date(today.year, today.month, 1), -(months - 1))
    if dept:
        query = query.where((Complaint.receiving_unit == dept) | (Complaint.dept == dept)
                            | (Complaint.responsible_dept == dept))
    stats = timeliness_by_month(query, _dt(start))
    columns = [("month", gettext("月份")), ("closed", gettext("已结案"), "int"),
               ("on_time", gettext("按期结案"), "int"), ("rate", gettext("按期率"), "percent"),
               ("open_overdue", gettext("未结已逾期"), "int")]
    rows = []
    for i in range(months):
        key = calendar.add_months(start, i).strftime("%Y-%m")
        s = stats.get(key, {})
        rows.append({"month": key, "closed": s.get("closed", 0), "on_time": s.get("on_time", 0),
                     "rate": _rate(s.get("on_time", 0), s.get("closed", 0)),
                     "open_overdue": s.get("open_overdue", 0)})
    return Table(columns, rows)


def timeliness_by_month(query, since, by_type=False):
    """{'YYYY-MM': {count, closed, on_time, open_overdue}} of the cases in
    `query` received since `since`, counted by the database in one grouped
    query; with `by_type` the keys are ('YYYY-MM', type)."""
    from peewee import Case
    from models import Complaint
    now = clock.now()
    closed = Complaint.closed_at.is_null(False)
    on_time = closed & (Complaint.due_at.is_null() | (Complaint.closed_at <= Complaint.due_at))
    open_late = (Complaint.closed_at.is_null() & (Complaint.due_at < now)
                 & Complaint.state.not_in(["not_accepted", "archived"]))
    month = month_key(Complaint.received_at)
    keys = [month.alias("month")] + ([Complaint.type] if by_type else [])
    grouped = (query.select(*keys, fn.COUNT(Complaint.id).alias("count"),
                            fn.SUM(Case(None, [(closed, 1)], 0)).alias("closed"),
                            fn.SUM(Case(None, [(on_time, 1)], 0)).alias("on_time"),
                            fn.SUM(Case(None, [(open_late, 1)], 0)).alias("open_overdue"))
               .where(Complaint.received_at >= since).group_by(*[month] + keys[1:]))
    figures = ("count", "closed", "on_time", "open_overdue")
    return {(r["month"], r["type"]) if by_type else r["month"]: {k: int(r[k] or 0) for k in figures}
            for r in grouped.dicts()}


# 保存期满 ----------------------------------------------------------------------

@report("retention_due", "超过保存期限的记录", "record_type_catalogue", source="R-REC-04, R-REC-11")
def retention_due(actor):
    today = clock.today()
    columns = [("register", gettext("记录名称")), ("name", gettext("登记簿")),
               ("count", gettext("已过保存期限"), "int"), ("oldest", gettext("最早到期"), "date")]
    rows = []
    for spec in registry.all_specs():
        if "retention_until" not in spec.fields or not permissions.can(actor, "view", spec.model):
            continue
        Model = spec.model
        count, oldest = (permissions.rows(actor, "view", Model)
                         .where(Model.retention_until < today, Model.is_long_term == False)  # noqa: E712
                         .select(fn.COUNT(Model.id), fn.MIN(Model.retention_until)).tuples().get())
        if count:
            if isinstance(oldest, str):         # SQLite returns the aggregate as text
                oldest = date.fromisoformat(oldest)
            rows.append({"register": tr(spec.label), "name": spec.name, "count": count, "oldest": oldest})
    return Table(columns, rows, [gettext("到期记录经保管人提出、销售经理（客户记录）或总经理办公室（档案）批准后方可处理。")])


@report("handover_customers", "客户责任人变更通知清单", "handover_record",
        params=[("handover", "交接单ID", "integer")], source="003 §4.3 「應由公司及時通知有關客戶」")
def handover_customers(actor, handover=None):
    from .workflows.handover import customer_notice_rows
    columns = [("handover", gettext("交接单号")), ("customer", gettext("客户名称")),
               ("contact", gettext("联系人")), ("phone", gettext("电话")), ("role", gettext("变更事项")),
               ("old", gettext("原负责人")), ("new", gettext("新负责人"))]
    return Table(columns, customer_notice_rows(actor, handover))


def choices_of(rep_param):
    options = rep_param[3]
    return list(options() if callable(options) else options or ())


def run(name, actor, params):
    """(report, table) for request parameters; a malformed parameter is
    ignored (the report's default applies), never a 500."""
    rep = REPORTS.get(name)
    if rep is None:
        return None, None
    kwargs = {}
    for param in rep.params:
        key, _, kind, _ = param
        value = params.get(key)
        if value in (None, ""):
            continue
        if kind in ("department", "integer", "region"):
            try:
                value = int(value)
            except ValueError:
                continue
            if not 0 < value < 2 ** 31:
                continue
        elif kind == "choice" and value not in {code for code, _ in choices_of(param)}:
            continue
        elif kind == "boolean":
            value = value in ("1", "on", "true")
        kwargs[key] = value
    return rep, rep.compute(actor, **kwargs)
