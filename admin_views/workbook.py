"""Small in-memory xlsx workbooks (a report, one printed form): typed cells
and the download response. Large register lists stream instead (export.py);
both use the same workbook options, so no string becomes a formula or a link.
"""
import io
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

import xlsxwriter
from flask import Response

from .export import WORKBOOK_OPTIONS, sheet_name  # noqa: F401  (re-exported)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "percent": "0.0%"}


class Book:
    """An xlsx workbook written to memory, with cached cell formats."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, dict(WORKBOOK_OPTIONS, in_memory=True))
        self._formats = {}

    def add_sheet(self, title):
        return self.book.add_worksheet(sheet_name(title))

    def format(self, kind=None, **props):
        """The format of a cell kind ("date", "percent"...) with extra
        properties (border, bold...), made once per combination."""
        key = (kind, tuple(sorted(props.items())))
        if key not in self._formats:
            options = dict(props)
            if kind in NUMBER_FORMATS:
                options["num_format"] = NUMBER_FORMATS[kind]
            self._formats[key] = self.book.add_format(options)
        return self._formats[key]

    def write(self, sheet, r, c, value, kind=None, **props):
        """One typed cell: numbers, dates and rates stay numbers and dates
        in the sheet; everything else is written as a string."""
        if value is None or value == "":
            sheet.write_blank(r, c, None, self.format(None, **props))
        elif isinstance(value, bool):
            sheet.write_string(r, c, str(value), self.format(None, **props))
        elif isinstance(value, (int, float, Decimal)):
            sheet.write_number(r, c, float(value), self.format(kind, **props))
        elif isinstance(value, datetime):
            sheet.write_datetime(r, c, value, self.format("datetime", **props))
        elif isinstance(value, date):
            sheet.write_datetime(r, c, datetime(value.year, value.month, value.day),
                                 self.format("date", **props))
        else:
            sheet.write_string(r, c, str(value), self.format(None, **props))

    def response(self, name, ascii_name):
        """The finished workbook as a download named `name` (UTF-8) with an
        ASCII fallback for old clients."""
        self.book.close()
        response = Response(self.buffer.getvalue(), mimetype=XLSX_MIMETYPE)
        response.headers["Content-Disposition"] = (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}")
        return response
