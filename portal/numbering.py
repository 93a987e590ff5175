"""Record numbers (DOMAIN.md R-NUM), unique under concurrent creation.

- R-NUM-01: {department abbreviation}-{serial:04d}, one series per register and
  department (000-四 412), e.g. KF-0031.
- R-NUM-02: complaints {YYMM}-{serial:02d}, one series per year-month
  (002 篇五 第八条), widened naturally after 99, e.g. 2611-07.
- Reference registers: {prefix}-{serial:04d}.

The series row is incremented with an UPDATE inside the caller's write
transaction: SQLite holds the write lock from BEGIN IMMEDIATE, PostgreSQL
locks the row, so two creations never draw the same number.
"""
from peewee import CharField, IntegerField

from .clock import now
from .db import BaseModel


class NumberSeries(BaseModel):
    key = CharField(max_length=80, unique=True)
    last = IntegerField(default=0)

    class Meta:
        table_name = "number_series"


def next_value(key: str) -> int:
    NumberSeries.insert(key=key, last=0).on_conflict_ignore().execute()
    NumberSeries.update(last=NumberSeries.last + 1).where(NumberSeries.key == key).execute()
    return NumberSeries.select(NumberSeries.last).where(NumberSeries.key == key).scalar()


def reserve(key: str, count: int) -> int:
    """Take `count` consecutive serials of series `key` in one step (inside a
    write transaction); returns the first."""
    NumberSeries.insert(key=key, last=0).on_conflict_ignore().execute()
    NumberSeries.update(last=NumberSeries.last + count).where(NumberSeries.key == key).execute()
    return NumberSeries.select(NumberSeries.last).where(NumberSeries.key == key).scalar() - count + 1


def _series(spec, row):
    """(series key, number format) of a new record."""
    if spec.numbering == "yymm":
        stamp = (getattr(row, "received_at", None) or now()).strftime("%y%m")
        return f"{spec.name}:{stamp}", stamp + "-{:02d}"
    if spec.numbering == "dept":
        prefix = getattr(row, spec.dept_fields[0]).abbr
    else:
        prefix = spec.number_prefix
    return f"{spec.name}:{prefix}", prefix + "-{:04d}"


def assign(spec, row) -> str:
    """Give `row` its number (call inside a write transaction)."""
    key, fmt = _series(spec, row)
    return fmt.format(next_value(key))


def assign_many(spec, rows) -> list:
    """Numbers for many new records (an import): one reservation per series."""
    series = [_series(spec, row) for row in rows]
    wanted = {}
    for key, _ in series:
        wanted[key] = wanted.get(key, 0) + 1
    following = {key: reserve(key, count) for key, count in wanted.items()}
    out = []
    for key, fmt in series:
        out.append(fmt.format(following[key]))
        following[key] += 1
    return out
