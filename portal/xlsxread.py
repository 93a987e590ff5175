"""A streaming reader of the first worksheet of an xlsx workbook, for imports:
the cell values row by row (formulas as the results Excel saved with them,
dates as datetimes), in flat memory.

openpyxl's read-only mode builds an object per cell and per shared string,
which makes reading 100,000 rows take longer than validating them; this
reader parses the XML parts directly. openpyxl still decides which number
formats are dates and converts Excel serial numbers.
"""
import posixpath
import zipfile
from array import array
from datetime import datetime
from xml.etree.ElementTree import ParseError, iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


class XlsxError(Exception):
    """Not a workbook this reader understands."""


def _relations(archive, part):
    """{relation id: (type, target path)} of a part."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    out = {}
    if rels not in archive.namelist():
        return out
    with archive.open(rels) as fh:
        for _, elem in iterparse(fh):
            if elem.tag == PACKAGE_RELS + "Relationship":
                target = elem.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else \
                    posixpath.normpath(posixpath.join(folder, target))
                out[elem.get("Id")] = (elem.get("Type", ""), path)
    return out


def _workbook(archive):
    """(path of the first worksheet, shared strings path, styles path, 1904 dates)."""
    root = _relations(archive, "")
    workbook = next((path for kind, path in root.values() if kind.endswith("/officeDocument")),
                    "xl/workbook.xml")
    rels = _relations(archive, workbook)
    first, date1904 = None, False
    with archive.open(workbook) as fh:
        for _, elem in iterparse(fh):
            if elem.tag == MAIN + "sheet" and first is None:
                first = rels.get(elem.get(DOC_RELS + "id"), (None, None))[1]
            elif elem.tag == MAIN + "workbookPr":
                date1904 = elem.get("date1904") in ("1", "true")
    if first is None:
        raise XlsxError("no worksheet")
    strings = next((p for k, p in rels.values() if k.endswith("/sharedStrings")), None)
    styles = next((p for k, p in rels.values() if k.endswith("/styles")), None)
    return first, strings, styles, date1904


def _text_of(elem):
    """The text of a shared or inline string (its runs joined; phonetic
    guides left out)."""
    parts = []
    for child in elem:
        if child.tag == MAIN + "t":
            parts.append(child.text or "")
        elif child.tag == MAIN + "r":
            for t in child.iter(MAIN + "t"):
                parts.append(t.text or "")
    return "".join(parts)


class SharedStrings:
    """The workbook's shared-string table (every distinct text of the sheet,
    stored once), packed: blocks of strings joined into one str with an
    array of offsets, about a third of the memory of a list of strings."""

    BLOCK = 4096

    def __init__(self):
        self.blocks, self.offsets = [], []
        self.pending = []

    def append(self, text):
        self.pending.append(text)
        if len(self.pending) == self.BLOCK:
            self._pack()

    def _pack(self):
        if self.pending:
            offsets, at = array("L", [0]), 0
            for text in self.pending:
                at += len(text)
                offsets.append(at)
            self.blocks.append("".join(self.pending))
            self.offsets.append(offsets)
            self.pending = []

    def __getitem__(self, index):
        block, i = divmod(index, self.BLOCK)
        offsets = self.offsets[block]
        return self.blocks[block][offsets[i]:offsets[i + 1]]


def _shared_strings(archive, path):
    strings = SharedStrings()
    if path is None or path not in archive.namelist():
        return strings
    with archive.open(path) as fh:
        table = None
        for event, elem in iterparse(fh, events=("start", "end")):
            if event == "start":
                if elem.tag == MAIN + "sst":
                    table = elem
            elif elem.tag == MAIN + "si":
                strings.append(_text_of(elem))
                if table is not None:
                    table.clear()        # strings already read are dropped from the tree
    strings._pack()
    return strings


def _date_styles(archive, path):
    """Indexes of the cell styles whose number format shows a date or time."""
    if path is None or path not in archive.namelist():
        return frozenset()
    custom, formats, in_xfs = {}, [], False
    with archive.open(path) as fh:
        for event, elem in iterparse(fh, events=("start", "end")):
            if elem.tag == MAIN + "cellXfs":
                in_xfs = event == "start"
            elif event == "end" and elem.tag == MAIN + "numFmt":
                custom[int(elem.get("numFmtId", 0))] = elem.get("formatCode", "")
            elif event == "end" and elem.tag == MAIN + "xf" and in_xfs:
                formats.append(int(elem.get("numFmtId", 0)))
    out = set()
    for index, number in enumerate(formats):
        code = custom.get(number) or BUILTIN_FORMATS.get(number)
        if code and is_date_format(code):
            out.add(index)
    return frozenset(out)


def _column(letters, cache={}):  # noqa: B006 (a cache shared by every call)
    """0-based column of the letters of a cell reference ("AB" of "AB12")."""
    index = cache.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        cache[letters] = index = index - 1
    return index


def rows(fileobj):
    """(row number, [values]) of the first worksheet, in order."""
    try:
        archive = zipfile.ZipFile(fileobj)
        sheet, strings_path, styles_path, date1904 = _workbook(archive)
        strings = _shared_strings(archive, strings_path)
        dates = _date_styles(archive, styles_path)
        handle = archive.open(sheet)
    except (zipfile.BadZipFile, KeyError, ParseError, ValueError) as err:
        raise XlsxError(str(err))
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    number_in_file = 0
    with handle:
        parent = None
        try:
            for event, elem in iterparse(handle, events=("start", "end")):
                if event == "start":
                    if elem.tag == MAIN + "sheetData":
                        parent = elem
                    continue
                if elem.tag != MAIN + "row":
                    continue
                number_in_file = int(elem.get("r") or number_in_file + 1)
                values = []
                for cell in elem:        # the cells of the row
                    ref = cell.get("r")
                    col = _column(ref.rstrip("0123456789")) if ref else len(values)
                    if col >= len(values):
                        values.extend([None] * (col + 1 - len(values)))
                    values[col] = _value(cell, strings, dates, epoch)
                yield number_in_file, values
                if parent is not None:
                    parent.clear()       # rows already read are dropped: flat memory
        except (ParseError, ValueError, IndexError) as err:
            raise XlsxError(str(err))


def _value(cell, strings, dates, epoch):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(MAIN + "is")
        return _text_of(inline) if inline is not None else None
    v = cell.find(MAIN + "v")
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        return strings[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "d":
        return datetime.fromisoformat(text.rstrip("Z"))
    number = float(text) if any(ch in text for ch in ".eE") else int(text)
    style = cell.get("s")
    if style is not None and int(style) in dates:
        return from_excel(number, epoch)
    return number
