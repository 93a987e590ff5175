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


def assign(spec, row) -> str:
    """Give `row` its number (call inside a write transaction)."""
    if spec.numbering == "yymm":
        stamp = (getattr(row, "received_at", None) or now()).strftime("%y%m")
        serial = next_value(f"{spec.name}:{stamp}")
        return f"{stamp}-{serial:02d}"
    if spec.numbering == "dept":
        dept = getattr(row, spec.dept_fields[0])
        prefix = dept.abbr
    else:
        prefix = spec.number_prefix
    serial = next_value(f"{spec.name}:{prefix}")
    return f"{prefix}-{serial:04d}"
