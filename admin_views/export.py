"""Exports of a register list: exactly the rows the user sees (scope, search,
filters, sort), as xlsx written by XlsxWriter in constant_memory mode or as
CSV, streamed to the browser. Used by the list page and the JSON API.

- Chinese column headers; dates and numbers as Excel types; frozen header,
  autofilter, fitted column widths.
- Strings are never turned into formulas or links (formula injection).
- Each export is audited: who, register, filters, row count.
"""
import csv
import io
import os
import tempfile
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

import xlsxwriter
from flask import Response, stream_with_context
from peewee import ForeignKeyField

from portal import audit, clock, services
from portal.confidential import note_reads
from portal.db import write_transaction
from portal.i18n import gettext, tr
from portal.registry import SYSTEM_FIELDS

from . import listing

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WIDTH_SAMPLE = 200
CHUNK = 64 * 1024


def export_columns(spec):
    names = ["record_no"] if "record_no" in spec.fields else []
    names += [n for n in spec.fields if n not in SYSTEM_FIELDS and n not in names]
    return names + ["created_at", "updated_at"]


def cell_value(spec, name, row):
    """A Python value typed for Excel: numbers and dates stay typed."""
    field = spec.fields[name]
    if isinstance(field, ForeignKeyField):
        return getattr(row, listing.title_attr(name), None) or ""
    value = getattr(row, name, None)
    if value is None:
        return ""
    if field.choices or isinstance(value, (bool, list)):
        return services.display(spec, name, value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def text_width(value):
    text = value if isinstance(value, str) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text[:60])


def filename(spec, ext):
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    return f"{tr(spec.label)}-{stamp}.{ext}", f"{spec.name}-{stamp}.{ext}"


def disposition(spec, ext):
    name, ascii_name = filename(spec, ext)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _audit_export(actor, spec, fmt, description, count, rows_for_read_log):
    with write_transaction():
        note_reads(actor, spec, rows_for_read_log, how="export")
        audit.record(actor, "export", spec.name, record_no="",
                     changes={"format": [None, fmt], "filters": [None, description],
                              "rows": [None, count]})


def _confidential(spec, row):
    return spec.archive and getattr(row, "confidentiality", None) in ("restricted", "secret", "sealed")


def csv_stream(actor, spec, query, description):
    names = export_columns(spec)

    def generate():
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([tr(spec.label_of(n)) for n in names])
        yield "\ufeff" + buf.getvalue()
        count = 0
        confidential = []
        for row in query.iterator():
            buf.seek(0)
            buf.truncate()
            values = []
            for n in names:
                v = cell_value(spec, n, row)
                if isinstance(v, datetime):
                    v = v.strftime("%Y-%m-%d %H:%M:%S")
                elif isinstance(v, date):
                    v = v.isoformat()
                elif isinstance(v, str) and v.startswith(FORMULA_START):
                    v = "'" + v      # never a formula in a spreadsheet
                values.append(v)
            writer.writerow(values)
            count += 1
            if _confidential(spec, row):
                confidential.append(row)
            yield buf.getvalue()
        _audit_export(actor, spec, "csv", description, count, confidential)

    response = Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = disposition(spec, "csv")
    return response


def write_xlsx(spec, rows, target, sheet_title=None):
    """Write `rows` to the xlsx `target` (path or file); returns the row count
    and the rows that are confidential."""
    names = export_columns(spec)
    workbook = xlsxwriter.Workbook(target, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet(_sheet_name(sheet_title or tr(spec.label)))
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    widths = [text_width(tr(spec.label_of(n))) + 2 for n in names]
    sample = []
    count = 0
    confidential = []
    iterator = iter(rows)
    # Column widths are fitted on the first rows, which are held back until
    # then (constant_memory writes rows in order and cannot revisit them).
    for row in iterator:
        sample.append(row)
        if len(sample) >= WIDTH_SAMPLE:
            break
    for row in sample:
        for i, n in enumerate(names):
            widths[i] = max(widths[i], min(60, text_width(cell_value(spec, n, row)) + 2))
    for i, width in enumerate(widths):
        sheet.set_column(i, i, width)
    sheet.freeze_panes(1, 0)
    for i, n in enumerate(names):
        sheet.write_string(0, i, tr(spec.label_of(n)), header)

    def write(row):
        nonlocal count
        count += 1
        for i, n in enumerate(names):
            v = cell_value(spec, n, row)
            if isinstance(v, datetime):
                sheet.write_datetime(count, i, v, datetime_format)
            elif isinstance(v, date):
                sheet.write_datetime(count, i, datetime(v.year, v.month, v.day), date_format)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                sheet.write_number(count, i, v)
            elif v != "":
                sheet.write_string(count, i, str(v))
        if _confidential(spec, row):
            confidential.append(row)

    for row in sample:
        write(row)
    for row in iterator:
        write(row)
    sheet.autofilter(0, 0, max(count, 1), len(names) - 1)
    workbook.close()
    return count, confidential


def _sheet_name(title):
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31] or "Sheet1"


def xlsx_stream(actor, spec, query, description):
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="export-")
    os.close(handle)

    def generate():
        try:
            count, confidential = write_xlsx(spec, query.iterator(), path)
            _audit_export(actor, spec, "xlsx", description, count, confidential)
            with open(path, "rb") as fh:
                while True:
                    chunk = fh.read(CHUNK)
                    if not chunk:
                        break
                    yield chunk
        finally:
            os.unlink(path)

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


def respond(actor, spec, query, fmt, description):
    query = exportable_rows(actor, spec, query)
    if fmt == "csv":
        return csv_stream(actor, spec, query, description)
    if fmt == "xlsx":
        return xlsx_stream(actor, spec, query, description)
    return None


def unsupported_message(fmt):
    return gettext("不支持的导出格式：%(fmt)s", fmt=fmt[:10])
