"""The home page after login: my tasks, overdue counts and charts, per user.

Every tile is a list filter: its count is the register's list query (the
row rule, the workflow queue for 「待我处理」, then the list's own filter
objects) and its link opens that list with the same filters, so the figure on
the tile is the number of rows the list shows. All tile counts are taken in
one UNION ALL query; each chart is one grouped query under the same row rule.
Charts are inline SVG drawn on the server: no script, no external asset.
"""
from datetime import date, datetime
from functools import reduce
from operator import add

from flask import url_for
from flask_admin.contrib.peewee import filters as pf
from peewee import SQL, fn

import permissions
from portal import calendar, clock, registry, reports
from portal.i18n import gettext, tr
from portal.workflows.queue import queue_registers, waiting_query

from .filters import ChoiceEqual, ChoiceIn, OverdueFilter, RelatedEqual

CHART_MONTHS = 12
TYPE_COLOURS = {"consultation": "#5b9bd5", "suggestion": "#a5a5a5", "complaint": "#ed7d31"}
GRADE_COLOUR = "#4472c4"
LENT = "lent,overdue"           # loans out (overdue: marked by the sweep)


class Tile:
    """A count of one register's list, with the link to that list."""

    def __init__(self, spec, label, conditions=(), waiting=False):
        from . import VIEWS
        self.spec = spec
        self.label = label
        self.view = VIEWS.get(spec.name)
        self.waiting = waiting
        self.filters = []           # [(index in the view's filters, filter, value)]
        self.count = 0
        for field, kind, value in conditions:
            found = find_filter(self.view, field, kind)
            if found is None:
                self.view = None    # the list cannot show this tile's rows: no tile
                break
            self.filters.append(found + (value,))

    @property
    def usable(self):
        return self.view is not None

    def query(self, actor):
        """The list's query: the row rule (and the queue of 「待我处理」),
        then the list filters of the tile."""
        query = (waiting_query(actor, self.spec) if self.waiting
                 else permissions.rows(actor, "view", self.spec.model))
        for _, flt, value in self.filters:
            query = flt.apply(query, flt.clean(value))
        return query

    @property
    def url(self):
        args = {f"flt{pos}_{self.view.get_filter_arg(idx, flt)}": value
                for pos, (idx, flt, value) in enumerate(self.filters)}
        if self.waiting:
            args["waiting"] = 1
        return url_for(f"{self.spec.name}.index_view", **args)


def equals_tile(spec, equals):
    """The tile of the rows whose fields equal the given values (a choice
    code or a related record's id), or None if the list cannot filter so."""
    from peewee import ForeignKeyField
    conditions = []
    for field, value in equals.items():
        kind = RelatedEqual if isinstance(spec.fields.get(field), ForeignKeyField) else ChoiceEqual
        conditions.append((field, kind, str(value)))
    tile = Tile(spec, "", conditions)
    return tile if tile.usable else None


def find_filter(view, field, kind):
    for i, flt in enumerate(getattr(view, "_filters", None) or ()):
        if type(flt) is kind and getattr(flt.column, "name", None) == field:
            return i, flt
    return None


def count_tiles(actor, tiles):
    """Fill each tile's count with one query: the tiles' list queries, each
    reduced to (tile number, COUNT), joined by UNION ALL."""
    tiles = [t for t in tiles if t.usable]
    if not tiles:
        return []
    parts = []
    for i, tile in enumerate(tiles):
        Model = tile.spec.model
        # a literal number (not a parameter): PostgreSQL types it in a UNION
        parts.append(tile.query(actor).select(SQL(str(i)), fn.COUNT(Model.id)))
    for i, n in reduce(add, parts).tuples():
        tiles[int(i)].count = n
    return tiles


def viewable(actor, name):
    spec = registry.get(name)
    if spec is None or not permissions.can(actor, "view", spec.model):
        return None
    return spec


# The tiles of a user -------------------------------------------------------------

def task_tiles(actor):
    """My tasks: what waits for me in each workflow (approvals, decisions,
    receipts...), the complaint cases I handle, the customers I must track
    this month, the files lent to me."""
    tiles = [Tile(spec, tr(spec.label), waiting=True) for spec in queue_registers(actor)]
    emp = actor.employee_id
    if not emp:
        return tiles, []
    mine = []
    spec = viewable(actor, "complaint")
    if spec is not None:
        running = ",".join(spec.workflow.running_states())
        mine.append(Tile(spec, gettext("分派给我的投诉"),
                         [("handler", RelatedEqual, str(emp)), ("state", ChoiceIn, running)]))
    spec = viewable(actor, "customer")
    if spec is not None:
        today = clock.today()
        month_end = calendar.add_months(date(today.year, today.month, 1), 1)
        mine.append(Tile(spec, gettext("本月应跟踪的客户"),
                         [("account_owner", RelatedEqual, str(emp)),
                          ("lifecycle_status", ChoiceIn, ",".join(reports.TRACKED_STATES)),
                          ("next_tracking_due", pf.DateSmallerFilter, month_end.isoformat())]))
    spec = viewable(actor, "borrow_request")
    if spec is not None:
        mine.append(Tile(spec, gettext("借给我的档案（待归还）"),
                         [("borrower", RelatedEqual, str(emp)), ("state", ChoiceIn, LENT)]))
    return tiles, mine


def overdue_tiles(actor):
    """Overdue counts in my scope: each workflow register with a deadline,
    and the customers whose tracking date has passed (R-TRK-03)."""
    tiles = []
    for spec in registry.all_specs():
        workflow = spec.workflow
        if workflow is None or not workflow.due_field or not permissions.can(actor, "view", spec.model):
            continue
        tiles.append(Tile(spec, tr(spec.label), [(workflow.due_field, OverdueFilter, "1")]))
    spec = viewable(actor, "borrow_request")
    if spec is not None:         # loans have a due time but no deadline workflow
        tiles.append(Tile(spec, gettext("借阅逾期未还"),
                          [("state", ChoiceIn, LENT),
                           ("due_at", pf.DateTimeSmallerFilter, clock.now().strftime("%Y-%m-%d %H:%M:%S"))]))
    spec = viewable(actor, "customer")
    if spec is not None:
        tiles.append(Tile(spec, gettext("客户跟踪逾期"),
                          [("lifecycle_status", ChoiceIn, ",".join(reports.TRACKED_STATES)),
                           ("next_tracking_due", pf.DateSmallerFilter, clock.today().isoformat())]))
    return tiles


def grade_tiles(actor):
    """Customers per grade, each bar a link to the customer list of that grade."""
    from models import GRADE
    spec = viewable(actor, "customer")
    if spec is None:
        return []
    return [Tile(spec, tr(label), [("grade", ChoiceEqual, code)]) for code, label in GRADE]


class Dashboard:
    def __init__(self, actor):
        waiting, mine = task_tiles(actor)
        overdue = overdue_tiles(actor)
        grades = grade_tiles(actor)
        count_tiles(actor, waiting + mine + overdue + grades)
        self.waiting = [t for t in waiting if t.usable and t.count]
        self.mine = [t for t in mine if t.usable]
        self.overdue = [t for t in overdue if t.usable and t.count]
        self.grades = bar_chart([(t.label, t.count, t.url) for t in grades if t.usable])
        self.complaints, self.timeliness = complaint_charts(actor)


# Charts (inline SVG) ---------------------------------------------------------------

def last_months(n=CHART_MONTHS):
    today = clock.today()
    first = calendar.add_months(date(today.year, today.month, 1), -(n - 1))
    return [calendar.add_months(first, i) for i in range(n)]


class Chart:
    """Geometry of a bar chart for the template: bars (x, y, width, height,
    colour, title, link), labels along the axis with a caption above each
    bar (its figure), the scale's maximum."""
    width, height, left, bottom, top = 640, 220, 36, 28, 16

    def __init__(self, groups, maximum, legend=(), percent=False):
        self.bars, self.labels, self.legend = [], [], list(legend)
        self.maximum = maximum
        self.percent = percent
        plot = self.height - self.bottom - self.top
        slot = (self.width - self.left) / max(1, len(groups))
        for i, (label, stack, link, caption) in enumerate(groups):
            x = self.left + i * slot + slot * 0.15
            y = self.height - self.bottom
            for value, colour, title in stack:
                h = plot * value / maximum if maximum else 0
                y -= h
                self.bars.append({"x": round(x, 1), "y": round(y, 1), "w": round(slot * 0.7, 1),
                                  "h": round(h, 1), "colour": colour, "title": title, "link": link})
            self.labels.append({"x": round(x + slot * 0.35, 1), "text": label,
                                "caption": caption, "caption_y": round(y - 3, 1)})
        self.ticks = [{"y": round(self.height - self.bottom - plot * f, 1),
                       "text": f"{f * 100:.0f}%" if percent else f"{maximum * f:.0f}"}
                      for f in (0, 0.5, 1)] if maximum else []

    @property
    def empty(self):
        return not any(b["h"] for b in self.bars)


def bar_chart(items):
    """One bar per (label, count, link)."""
    maximum = max([n for _, n, _ in items] + [0])
    groups = [(label, [(n, GRADE_COLOUR, f"{label}：{n}")], link, str(n)) for label, n, link in items]
    return Chart(groups, maximum)


def complaint_charts(actor):
    """(complaints received per month by type (咨询 / 建议 / 投诉), on-time
    rate of the cases closed per month of receipt), last 12 months, from one
    grouped query."""
    from models import Complaint
    if viewable(actor, "complaint") is None:
        return None, None
    months = last_months()
    stats = reports.timeliness_by_month(permissions.rows(actor, "view", Complaint),
                                        datetime(months[0].year, months[0].month, 1), by_type=True)
    by_month = {}
    for (month, _), figures in stats.items():
        total = by_month.setdefault(month, dict.fromkeys(figures, 0))
        for k, v in figures.items():
            total[k] += v
    return complaint_chart(months, {key: f["count"] for key, f in stats.items()}), \
        timeliness_chart(months, by_month)


def complaint_chart(months, counts):
    from models import COMPLAINT_TYPES
    groups = []
    for m in months:
        key = m.strftime("%Y-%m")
        stack = [(counts.get((key, code), 0), TYPE_COLOURS[code], f"{key} {tr(label)}：{counts.get((key, code), 0)}")
                 for code, label in COMPLAINT_TYPES]
        total = sum(v for v, _, _ in stack)
        groups.append((m.strftime("%m"), stack, url_for("reports.show", report="complaint_statistics",
                                                        month=key), str(total) if total else ""))
    maximum = max([sum(v for v, _, _ in stack) for _, stack, _, _ in groups] + [0])
    legend = [(tr(label), TYPE_COLOURS[code]) for code, label in COMPLAINT_TYPES]
    return Chart(groups, maximum, legend)


def timeliness_chart(months, stats):
    """On-time rate of the cases closed, per month of receipt."""
    groups = []
    link = url_for("reports.show", report="case_timeliness", months=CHART_MONTHS)
    for m in months:
        key = m.strftime("%Y-%m")
        s = stats.get(key, {})
        rate = s["on_time"] / s["closed"] if s.get("closed") else 0
        title = (gettext("%(month)s 按期率 %(rate)s（%(on_time)s/%(closed)s）", month=key,
                         rate=f"{rate * 100:.1f}%", on_time=s["on_time"], closed=s["closed"])
                 if s.get("closed") else gettext("%(month)s 无结案", month=key))
        colour = "#70ad47" if rate >= 0.9 else "#ffc000" if rate >= 0.6 else "#c00000"
        caption = f"{rate * 100:.0f}%" if s.get("closed") else ""
        groups.append((m.strftime("%m"), [(rate, colour, title)], link, caption))
    return Chart(groups, 1, percent=True)
