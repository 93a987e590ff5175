"""Deadlines in clock hours, calendar days, working days or working hours,
skipping weekends and the holidays of the `Holiday` register (which also
records working weekends, 调休). R-CFG-02: units are kept as written.

Working hours are the office hours of a working day (settings
`office_start` / `office_end`, default 08:30-17:30).
"""
import calendar as _cal
from datetime import date, datetime, time, timedelta

from flask import g, has_request_context

from . import settings



def _holidays():
    """{date: is_workday} from the Holiday register, cached per request."""
    cache = g.setdefault("_holidays", None) if has_request_context() else None
    if cache is not None:
        return cache
    from models import Holiday
    data = {h.day: bool(h.is_workday) for h in
            Holiday.select(Holiday.day, Holiday.is_workday).where(Holiday.deleted_at.is_null())}
    if has_request_context():
        g._holidays = data
    return data


def is_working_day(day: date, holidays=None) -> bool:
    holidays = _holidays() if holidays is None else holidays
    if day in holidays:
        return holidays[day]
    return day.weekday() < 5


def _office():
    start = settings.get("office_start") or "08:30"
    end = settings.get("office_end") or "17:30"
    h1, m1 = (int(x) for x in start.split(":"))
    h2, m2 = (int(x) for x in end.split(":"))
    return time(h1, m1), time(h2, m2)


def add_working_days(start: datetime, n: int, holidays=None) -> datetime:
    """The same time of day, `n` working days later (a receipt on a holiday
    counts from the next working day)."""
    holidays = _holidays() if holidays is None else holidays
    day = start.date()
    added = 0
    while added < n:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            added += 1
    moment = datetime.combine(day, start.time() if isinstance(start, datetime) else time(17, 30))
    return moment


def add_working_hours(start: datetime, hours: float, holidays=None) -> datetime:
    """`hours` of office time after `start` (001-售后: 「上班时间内六小时」)."""
    holidays = _holidays() if holidays is None else holidays
    open_at, close_at = _office()
    remaining = timedelta(hours=hours)
    current = start
    while True:
        day = current.date()
        if not is_working_day(day, holidays) or current.time() >= close_at:
            current = datetime.combine(day + timedelta(days=1), open_at)
            continue
        if current.time() < open_at:
            current = datetime.combine(day, open_at)
        end_of_day = datetime.combine(day, close_at)
        available = end_of_day - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        current = datetime.combine(day + timedelta(days=1), open_at)


def add_months(start, months: int):
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    day = min(start.day, _cal.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def day_of_next_month(start, day: int) -> datetime:
    """E.g. statistics due by the 5th of the next month (end of that day)."""
    nxt = add_months(datetime(start.year, start.month, 1), 1)
    return datetime(nxt.year, nxt.month, min(day, _cal.monthrange(nxt.year, nxt.month)[1]), 23, 59, 59)


def deadline(start, value, unit) -> datetime:
    """`start` + `value` `unit` (a unit of models.SLA_UNITS)."""
    if isinstance(start, date) and not isinstance(start, datetime):
        start = datetime.combine(start, time(0, 0))
    value = float(value)
    if unit == "hours":
        return start + timedelta(hours=value)
    if unit == "days":
        return start + timedelta(days=value)
    if unit == "working_days":
        return add_working_days(start, int(value))
    if unit == "working_hours":
        return add_working_hours(start, value)
    if unit == "months":
        return add_months(start, int(value))
    if unit == "day_of_next_month":
        return day_of_next_month(start, int(value))
    if unit == "end_of_day":      # 0 = the same day, 1 = the next day
        return datetime.combine(start.date() + timedelta(days=int(value)), time(23, 59, 59))
    raise ValueError(f"unknown deadline unit {unit!r}")


def rule_deadline(key, start):
    """Deadline from the SLA rule `key` of the configurable SlaRule table."""
    rule = _rule(key)
    if rule is None or start is None:
        return None
    return deadline(start, rule.value, rule.unit)


def _rule(key):
    """The SLA rule `key`, read once per request (an import derives many rows)."""
    from models import SlaRule
    cache = g.setdefault("_sla_rules", {}) if has_request_context() else {}
    if key not in cache:
        cache[key] = SlaRule.select().where(SlaRule.key == key, SlaRule.deleted_at.is_null()).first()
    return cache[key]


def time_left(due, now=None):
    """A short Chinese text: time left, or how long overdue."""
    from . import clock
    from .i18n import gettext
    if due is None:
        return ""
    now = now or clock.now()
    delta = due - now
    seconds = abs(delta.total_seconds())
    days, rest = divmod(int(seconds), 86400)
    hours = rest // 3600
    span = (gettext("%(d)s天%(h)s小时", d=days, h=hours) if days
            else gettext("%(h)s小时%(m)s分", h=hours, m=(rest % 3600) // 60))
    if delta.total_seconds() >= 0:
        return gettext("剩余 %(span)s", span=span)
    return gettext("已逾期 %(span)s", span=span)
