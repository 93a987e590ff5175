"""Report pages: each report of portal/reports.py with its filters and an
xlsx export. A report needs the view permission of the register it is built
from, and counts only the rows the user may read."""
from flask import abort, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

import permissions
from portal import audit, clock, reports
from portal.i18n import lazy, tr

from .workbook import Book


def allowed(rep):
    return permissions.can(current_user, "view", rep.register)


class ReportsView(BaseView):
    def __init__(self):
        super().__init__(name=lazy("统计报表"), category=lazy("投诉处理"), endpoint="reports",
                         url="/reports")

    def is_accessible(self):
        return current_user.is_authenticated

    def is_visible(self):
        return current_user.is_authenticated and any(allowed(r) for r in reports.REPORTS.values())

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        return self.render("portal/reports.html",
                           items=[r for r in reports.REPORTS.values() if allowed(r)])

    @expose("/<report>/")
    def show(self, report):
        rep = reports.REPORTS.get(report)
        if rep is None:
            abort(404)
        if not allowed(rep):
            raise permissions.Forbidden(permissions.denied_message("view", rep.register))
        rep, table = reports.run(report, current_user, request.args)
        if request.args.get("format") == "xlsx":
            return self._xlsx(rep, table)
        return self.render("portal/report.html", rep=rep, table=table, args=request.args,
                           options=self._options(rep), cell_text=reports.cell_text,
                           list_link=self._list_link(rep))

    @staticmethod
    def _list_link(rep):
        """row, column -> the URL of the register list a figure counts."""
        from portal import registry
        from .dashboard import equals_tile
        spec = registry.get(rep.register)

        def link(row, key):
            equals = row.get("_lists", {}).get(key)
            tile = equals_tile(spec, equals) if equals is not None else None
            return tile.url if tile is not None else None
        return link

    @staticmethod
    def _options(rep):
        """The choices of each select filter: departments and regions (reference
        registers every user may read), or the report's own choices."""
        from models import Department, Region
        out = {}
        for param in rep.params:
            key, _, kind, _ = param
            if kind in ("department", "region"):
                model = Department if kind == "department" else Region
                out[key] = [(str(r.id), r.name) for r in model.select(model.id, model.name)
                            .where(model.deleted_at.is_null()).order_by(model.name)]
            elif kind == "choice":
                out[key] = [(code, tr(label)) for code, label in reports.choices_of(param)]
        return out

    def _xlsx(self, rep, table):
        """The report as a workbook: the main table on the first sheet with the
        notes above it, each further part on a sheet of its own; numbers,
        rates and dates are typed cells."""
        book = Book()
        parts = [(tr(rep.label), table)] + [(part.title or tr(rep.label), part) for part in table.parts]
        for title, part in parts:
            sheet = book.add_sheet(title)
            book.write(sheet, 0, 0, title, bold=True, font_size=14)
            notes = part.notes
            for i, note in enumerate(notes):
                book.write(sheet, 1 + i, 0, note)
            top = 2 + len(notes)
            for c, (_, label, _kind) in enumerate(part.columns):
                book.write(sheet, top, c, str(label), bold=True, bg_color="#DDEBF7", border=1)
                sheet.set_column(c, c, max(10, len(str(label)) * 2 + 2))
            for r, row in enumerate(part.rows, start=top + 1):
                for c, (key, _, kind) in enumerate(part.columns):
                    book.write(sheet, r, c, row.get(key), kind)
            sheet.freeze_panes(top + 1, 0)
        audit.record(current_user, "export", f"report:{rep.name}",
                     changes={"filters": [None, request.query_string.decode("utf-8", "replace")[:300]],
                              "rows": [None, len(table.rows)]})
        return book.response(f"{tr(rep.label)}-{clock.now():%Y%m%d}.xlsx", f"report-{rep.name}.xlsx")
