"""Exports of a register list: exactly the rows the user sees (scope, search,
filters, sort), as xlsx written by XlsxWriter in constant_memory mode or as
CSV, streamed to the browser while the rows are read (xlsxstream.py). Used by
the list page and the JSON API.

- Chinese column headers; dates and numbers as Excel types; frozen header,
  autofilter, fitted column widths.
- Strings are never turned into formulas or links (formula injection).
- Each export is audited: who, register, filters, row count.
"""
import csv
import io
from datetime import date, datetime
from itertools import chain, islice
from urllib.parse import quote

from flask import Response, stream_with_context
from peewee import BooleanField, DecimalField, ForeignKeyField

from portal import audit, clock, services
from portal.confidential import AUDITED_LEVELS, note_reads
from portal.db import db, is_postgres, small_page_cache, write_transaction
from portal.fields import ListField
from portal.i18n import gettext, tr
from portal.registry import SYSTEM_FIELDS
from portal.services import InputError

from . import listing
from .xlsxstream import StreamingWorkbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WIDTH_SAMPLE = 200
CHUNK = 64 * 1024
EXPORT_CACHE_KB = 4000             # SQLite page cache of an export request
XLSX_MAX_ROWS = 1_048_575          # Excel's rows per sheet, less the header
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd"}


def export_columns(spec):
    names = ["record_no"] if "record_no" in spec.fields else []
    names += [n for n in spec.fields if n not in SYSTEM_FIELDS and n not in names]
    return names + ["created_at", "updated_at"]


def column_reader(spec, name):
    """A function from a result row (dict) to the value typed for a sheet:
    numbers and dates stay typed, choices become their labels, related
    records their titles."""
    field = spec.fields[name]
    if isinstance(field, ForeignKeyField):
        key = listing.title_attr(name)
        return lambda row: row.get(key) or ""
    if field.choices:
        labels = {code: tr(label) for code, label in field.choices}
        return lambda row: "" if row[name] in (None, "") else labels.get(row[name], row[name])
    if isinstance(field, (BooleanField, ListField)):
        show = services.displayer(spec, name)
        return lambda row: show(row[name])
    if isinstance(field, DecimalField):
        return lambda row: "" if row[name] is None else float(row[name])
    return lambda row: "" if row[name] is None else row[name]


class Columns:
    """The export columns of a register: Chinese headers and value readers."""

    def __init__(self, spec):
        self.names = export_columns(spec)
        self.headers = [tr(spec.label_of(n)) for n in self.names]
        self.readers = [column_reader(spec, n) for n in self.names]

    def values(self, row):
        return [read(row) for read in self.readers]


def text_width(value):
    text = value if isinstance(value, str) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text[:60])


def filename(spec, ext):
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    return f"{tr(spec.label)}-{stamp}.{ext}", f"{spec.name}-{stamp}.{ext}"


def disposition(spec, ext):
    name, ascii_name = filename(spec, ext)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


class Tally:
    """Rows written, and the ids of the confidential ones (their reads are
    logged once the export is complete)."""

    def __init__(self, spec):
        self.spec = spec
        self.count = 0
        self.confidential = []
        self.watch = spec.archive and "confidentiality" in spec.fields

    def add(self, row):
        self.count += 1
        if self.watch and row["confidentiality"] in AUDITED_LEVELS:
            self.confidential.append(row["id"])

    def audit(self, actor, fmt, description):
        """Call after the reading transaction: on SQLite a read transaction
        that starts writing fails at once if another writer committed since."""
        Model = self.spec.model
        with write_transaction():
            for start in range(0, len(self.confidential), 500):
                ids = self.confidential[start:start + 500]
                note_reads(actor, self.spec, Model.select().where(Model.id.in_(ids)),
                           how="export")
            audit.record(actor, "export", self.spec.name, record_no="",
                         changes={"format": [None, fmt], "filters": [None, description],
                                  "rows": [None, self.count]})


def result_rows(query):
    """The query's rows as dicts, fetched as they are written: a server-side
    cursor on PostgreSQL (psycopg would otherwise fetch every row first)."""
    query = query.dicts()
    if is_postgres():
        from playhouse.postgres_ext import ServerSide
        return ServerSide(query, array_size=2000)
    # Flask tears the view's context down before the stream starts; the
    # stream's own connection reads with the small cache too (respond()).
    small_page_cache(EXPORT_CACHE_KB)
    return query.iterator()


def csv_stream(actor, spec, query, description):
    columns = Columns(spec)

    def cell(v):
        if isinstance(v, datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, str) and v.startswith(FORMULA_START):
            return "'" + v      # never a formula in a spreadsheet
        return v

    def generate():
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns.headers)
        yield "\ufeff" + buf.getvalue()
        tally = Tally(spec)
        with db.atomic():        # one snapshot (and PostgreSQL's server-side cursor)
            for row in result_rows(query):
                buf.seek(0)
                buf.truncate()
                writer.writerow([cell(v) for v in columns.values(row)])
                tally.add(row)
                yield buf.getvalue()
        tally.audit(actor, "csv", description)

    response = Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = disposition(spec, "csv")
    return response


def sheet_name(title):
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31] or "Sheet1"


def xlsx_chunks(spec, rows, tally, expected_rows=0, sheet_title=None):
    """The xlsx of `rows` as byte chunks, the first one as soon as the
    header row is written (see xlsxstream)."""
    columns = Columns(spec)
    book = StreamingWorkbook(WORKBOOK_OPTIONS)
    sheet = book.add_worksheet(sheet_name(sheet_title or tr(spec.label)))
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    datetime_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    # Column widths are fitted on the first rows, held back until then:
    # widths belong to the sheet's head, which leaves before any row.
    rows = iter(rows)
    sample = list(islice(rows, WIDTH_SAMPLE))
    widths = [text_width(h) + 2 for h in columns.headers]
    longest_row = 0
    for row in sample:
        values = columns.values(row)
        longest_row = max(longest_row, sum(len(str(v)) for v in values))
        for i, v in enumerate(values):
            widths[i] = max(widths[i], min(60, text_width(v) + 2))
    for i, width in enumerate(widths):
        sheet.set_column(i, i, width)
    sheet.freeze_panes(1, 0)
    # An entry past 4 GB needs zip64, which some readers dislike; only then.
    estimate = expected_rows * (longest_row * 4 + 40 * len(widths) + 100)
    book.begin(sheet, zip64=estimate > 2 ** 32 * 0.75)
    for i, h in enumerate(columns.headers):
        sheet.write_string(0, i, h, header)
    try:
        yield book.drain()
        yield from _xlsx_rows(book, sheet, columns, chain(sample, rows), tally,
                              date_format, datetime_format)
    except GeneratorExit:            # the download was closed before its end
        book.discard()
        raise


def _xlsx_rows(book, sheet, columns, rows, tally, date_format, datetime_format):
    write_string, write_number, write_datetime = (
        sheet.write_string, sheet.write_number, sheet.write_datetime)

    def write_date(r, c, v):
        write_datetime(r, c, datetime(v.year, v.month, v.day), date_format)

    writers = {str: write_string, int: write_number, float: write_number,
               datetime: lambda r, c, v: write_datetime(r, c, v, datetime_format),
               date: write_date}
    readers = list(enumerate(columns.readers))
    r = 0
    for row in rows:
        r += 1
        for c, read in readers:
            v = read(row)
            if v != "":
                write = writers.get(type(v))
                if write is None:
                    write_string(r, c, str(v))
                else:
                    write(r, c, v)
        tally.add(row)
        if book.pending >= CHUNK:
            yield book.drain()
    sheet.autofilter(0, 0, max(r, 1), len(readers) - 1)
    book.close()
    yield book.drain()


def xlsx_stream(actor, spec, query, titled, description):
    """`titled`: the rows with their related titles; `query`: the same rows
    without the joins, for the count (2 s instead of 20 ms on 500,000 rows)."""
    count = query.select(spec.model.id).order_by().count()
    if count > XLSX_MAX_ROWS:
        raise InputError(gettext(
            "共 %(count)s 行，超过 Excel 每张工作表 %(max)s 行的上限：请缩小筛选范围，或导出 CSV。",
            count=count, max=XLSX_MAX_ROWS))

    def generate():
        tally = Tally(spec)
        with db.atomic():
            yield from xlsx_chunks(spec, result_rows(titled), tally, expected_rows=count)
        tally.audit(actor, "xlsx", description)

    response = Response(stream_with_context(generate()),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = disposition(spec, "xlsx")
    return response


def exportable_rows(actor, spec, query):
    """R-ARC-15: sealed records, and records of registers marked 严禁复印,
    are not exported without approval — the general manager, or a lent
    borrow request for copying (purpose 复印)."""
    Model = spec.model
    if not spec.archive or actor.has_role("general_manager"):
        return query
    from models import BorrowRequest
    copy_loans = (BorrowRequest.select(BorrowRequest.record)
                  .where(BorrowRequest.register == spec.name, BorrowRequest.purpose == "copy",
                         BorrowRequest.borrower == (actor.employee_id or 0),
                         BorrowRequest.state == "lent", BorrowRequest.due_at > clock.now()))
    if "no_copy" in spec.flags:
        return query.where(Model.id.in_(copy_loans))
    return query.where((Model.confidentiality != "sealed") | Model.id.in_(copy_loans))


def may_copy(actor, spec, row):
    """The rule above for one record (printing, the one-form xlsx)."""
    Model = spec.model
    one = Model.select(Model.id).where(Model.id == row.id)
    allowed = exportable_rows(actor, spec, one)
    return allowed is one or allowed.exists()      # unrestricted: no query


def respond(actor, spec, query, titled, fmt, description):
    """The export of `titled` (the filtered rows with their related titles)
    as `fmt`; `query` is the same filter without the titles' joins."""
    # An export reads each page once (its count too): SQLite's page cache,
    # 64 MB for list pages, would only grow the worker's memory.
    small_page_cache(EXPORT_CACHE_KB)
    query = exportable_rows(actor, spec, query)
    titled = exportable_rows(actor, spec, titled)
    if fmt == "csv":
        return csv_stream(actor, spec, titled, description)
    if fmt == "xlsx":
        return xlsx_stream(actor, spec, query, titled, description)
    return None


def unsupported_message(fmt):
    return gettext("不支持的导出格式：%(fmt)s", fmt=fmt[:10])
