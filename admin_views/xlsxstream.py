"""An xlsx workbook that leaves the server while it is being written.

XlsxWriter's `constant_memory` mode keeps one row in memory, but it still
writes the worksheet to a temporary file and zips everything at `close()`, so
nothing can be sent before the last row is written. Here the worksheet XML
goes straight into the zip entry `xl/worksheets/sheet1.xml`, deflated into a
byte sink that the response drains as it fills: the first bytes leave after
the header row, memory stays flat, and no temporary file is written. The small
parts (styles, workbook, content types...) are written by XlsxWriter's own
packager when the sheet is finished; the zip's central directory comes last.

    book = StreamingWorkbook({...options...})
    sheet = book.add_worksheet("客户")
    sheet.set_column(...); sheet.freeze_panes(1, 0)   # before begin()
    book.begin(sheet, zip64=False)
    sheet.write_string(0, 0, "...") ...; chunk = book.drain()
    sheet.autofilter(...)
    book.close(); chunk = book.drain()

Built on XlsxWriter internals (pinned to 3.3.x in pyproject.toml): the
worksheet's own `_assemble_xml_file` writes the head at `begin()` and the tail
at `close()`, split where it writes the sheet data.
"""
import io
import os
import zipfile

from xlsxwriter.packager import Packager
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

SHEET_PART = "xl/worksheets/sheet1.xml"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ByteSink:
    """Where the zip writes: collects bytes until the response drains them.
    It has no `seek`, so the zip writes data descriptors after each entry."""

    def __init__(self):
        self.parts = []
        self.size = 0
        self.pending = 0

    def write(self, data):
        self.parts.append(bytes(data))
        self.size += len(data)
        self.pending += len(data)
        return len(data)

    def tell(self):
        return self.size

    def flush(self):
        pass

    def drain(self):
        data = b"".join(self.parts)
        self.parts.clear()
        self.pending = 0
        return data


class StreamingWorksheet(Worksheet):
    _stream = None
    _phase = None

    def begin(self, stream):
        """Write the sheet's head (properties, views, columns) and open
        <sheetData>; rows are then written straight to `stream`."""
        self.row_data_fh.close()          # constant_memory's temporary file
        os.unlink(self.row_data_filename)
        self._stream = stream
        self._phase = "head"
        self.fh = stream
        self._assemble_xml_file()
        self.fh = self.row_data_fh = stream

    def finish(self):
        """Write the last row, close <sheetData> and write the tail
        (autofilter, page setup...)."""
        self._phase = "tail"
        self.fh = io.StringIO()           # the head was written at begin()
        self._assemble_xml_file()

    def _write_dimension(self):
        # The extent is unknown while streaming; <dimension> is optional.
        if self._phase is None:
            super()._write_dimension()

    def _write_optimized_sheet_data(self):
        if self._phase == "head":
            self._xml_start_tag("sheetData")
            self.fh = io.StringIO()       # the tail is written at finish()
        else:
            self.fh = self._stream
            self._write_single_row()
            self._xml_end_tag("sheetData")


class _Packager(Packager):
    def _write_worksheet_files(self):
        pass                              # streamed already


class StreamingWorkbook(Workbook):
    worksheet_class = StreamingWorksheet

    def __init__(self, options=None):
        self.sink = ByteSink()
        super().__init__(self.sink, {**(options or {}), "constant_memory": True,
                                     "in_memory": False})
        self._zip = zipfile.ZipFile(self.sink, "w", compression=zipfile.ZIP_DEFLATED,
                                    allowZip64=True)
        self._entry = None

    def begin(self, sheet, zip64=False):
        """Open the sheet's zip entry; `zip64` when the sheet may pass 4 GB."""
        if len(self.worksheets()) != 1:
            raise ValueError("a streamed workbook has exactly one worksheet")
        info = zipfile.ZipInfo(SHEET_PART, ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        self._entry = io.TextIOWrapper(self._zip.open(info, "w", force_zip64=zip64),
                                       encoding="utf-8", newline="")
        sheet.begin(self._entry)

    def drain(self):
        return self.sink.drain()

    def discard(self):
        """Give up a workbook whose reader went away (a closed download):
        close the open zip entry so that nothing is left half-written."""
        if self._entry is not None and not self._entry.closed:
            self._entry.close()
        self._zip.close()
        self.sink.drain()

    @property
    def pending(self):
        return self.sink.pending

    def _get_packager(self):
        return _Packager()

    def _store_workbook(self):
        sheet = self.worksheets()[0]
        sheet.finish()
        self._entry.close()
        sheet.selected = 1
        sheet.active = 1
        self._prepare_sst_string_data()
        self._prepare_vml()
        self._prepare_defined_names()
        self._prepare_drawings()
        self._add_chart_data()
        self._prepare_tables()
        self._prepare_metadata()
        packager = self._get_packager()
        packager._add_workbook(self)
        packager._set_tmpdir(self.tmpdir)
        packager._set_in_memory(True)
        for data, part, is_binary in packager._create_package():
            info = zipfile.ZipInfo(part, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            value = data.getvalue()
            self._zip.writestr(info, value if is_binary else value.encode("utf-8"))
        self._zip.close()
