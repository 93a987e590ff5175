"""The list query of a register, shared by the list page, the export and the
JSON API: scope, search, filters, sort and the related records' titles in one
query (no query per row)."""
from types import SimpleNamespace

from jinja2 import pass_context
from markupsafe import Markup, escape
from peewee import JOIN, SQL, ForeignKeyField, NodeList

from portal import scale
from portal.registry import spec_for

from . import search as text_search


def fk_columns(spec, names):
    return [n for n in names if isinstance(spec.fields.get(n), ForeignKeyField)]


def title_attr(name):
    return f"_t_{name}"


def with_titles(query, spec, names):
    """Select each foreign key's related title as `_t_<name>` via a LEFT JOIN
    on an alias (two keys to the same register get two aliases)."""
    aliases = {}
    for name in fk_columns(spec, names):
        field = spec.fields[name]
        alias, title, key = _title_alias(field, name)
        query = (query.select_extend(title.alias(title_attr(name)))
                 .join_from(spec.model, alias, JOIN.LEFT_OUTER, on=(field == key)))
        aliases[name] = title
    return query, aliases


_TITLE_ALIASES = {}


def _title_alias(field, name):
    """(alias of the related register, its title field, its id field) for a
    foreign key, made once: peewee builds a new class for every field read
    through an alias, six per list page."""
    key = (field.model, field.name)      # (a field's == builds an expression)
    found = _TITLE_ALIASES.get(key)
    if found is None:
        target = field.rel_model
        tspec = spec_for(target)
        alias = target.alias(f"t_{name}")
        found = _TITLE_ALIASES[key] = (alias, getattr(alias, tspec.title_field if tspec else "id"),
                                         alias.id)
    return found


def sort_expression(spec, name, aliases):
    if name in aliases:
        return aliases[name]
    return spec.fields[name]


def search(query, spec, text):
    """Rows holding every term of `text` in one of the search fields. Large
    registers go through their text index; on SQLite it is exact, on
    PostgreSQL it narrows the rows the ILIKE then decides."""
    query, exact = scale.search(query, spec, text_search.terms(text))
    if exact:
        return query
    fields = [spec.fields[n] for n in spec.search]
    return text_search.apply(query, fields, text)


def bounded_count(query, limit=None):
    """(count, estimated): the rows of `query`, counted up to `limit`
    (PORTAL_LIST_COUNT_LIMIT). Past it the count stops there and says so
    ("1000+ 条"), so that a list of a million rows does not count them all."""
    from flask import current_app
    if limit is None:
        limit = current_app.config["LIST_COUNT_LIMIT"]
    n = query.select(query.model.id).order_by().limit(limit + 1).count()
    return (limit, True) if n > limit else (n, False)


def count_with_page(query, offset, shown, page_size, limit=None):
    """bounded_count(query) for a list whose page at `offset` held `shown`
    rows, without counting when the page tells: a page reaching past the
    limit means more rows than the limit, a page not full (and not past the
    end) ends the list."""
    from flask import current_app
    if limit is None:
        limit = current_app.config["LIST_COUNT_LIMIT"]
    if shown and offset + shown > limit:
        return limit, True
    if shown < page_size and (shown or not offset):
        return offset + shown, False
    return bounded_count(query, limit)


def titled_sorted(query, spec, names, sort):
    """`query` with the related titles of the columns `names`, sorted."""
    titled, aliases = with_titles(query, spec, names)
    return order(titled, spec, sort, aliases)


def page(query, spec, names, sort, page_size, offset, fields=None):
    """One page of a sorted list: the ids of the page are found first, from
    the filtered `query` alone unless the sort is on a related title (the sort
    and the row rule are then served by the scope index: skipping the rows
    before the page reads no table row and joins nothing), then only those
    rows are read with their related titles."""
    model = spec.model
    by_title = any(name in fk_columns(spec, names) for name, _ in sort)
    source = titled_sorted(query, spec, names, sort) if by_title else order(query, spec, sort, {})
    ids = source.select(model.id).limit(page_size).offset(offset)
    # "id IN (ids)" written out: peewee's in_() compiles a subquery twice
    # (once only to see whether it is empty), and this one carries the row rule.
    in_page = NodeList((model.id, SQL("IN"), ids), parens=True)
    rows, aliases = with_titles(model.select(*(fields or ())).where(in_page), spec, names)
    return order(rows, spec, sort, aliases)


def order(query, spec, sort, aliases):
    """`sort` is a list of (field name, descending); the id breaks ties so that
    pages are stable. A query joined to its text index sorts on the index's
    rowid, the same value as the id, read in order from the index."""
    id_expr = getattr(query, "id_order", None) or spec.model.id
    clauses = []
    for name, desc in sort:
        expr = id_expr if name == "id" else sort_expression(spec, name, aliases)
        clauses.append(expr.desc() if desc else expr.asc())
    if not any(name == "id" for name, _ in sort):
        desc = sort[0][1] if sort else True
        clauses.append(id_expr.desc() if desc else id_expr.asc())
    return query.order_by(*clauses)


# Rows of the list page ------------------------------------------------------------

_ROW_ID = "0rowid0"          # unchanged by URL quoting and HTML escaping
# the row buttons a row may lack, and the row attribute that says so
_CHANGING = {"row_actions.edit_row": "_may_edit", "row_actions.delete_row": "_may_delete"}


class _RowParts:
    """What every row of one list page shares: the selection box and each
    button (view, edit, delete) rendered once by its row_actions.html macro
    for a stand-in row, with a mark where the row's id goes (the id comes
    before the return URL in every button)."""

    def __init__(self, context):
        from flask_admin.babel import gettext as admin_gettext
        stand_in = SimpleNamespace(id=_ROW_ID)
        self.checkbox = (Markup('<td><input type="checkbox" name="rowid" class="action-checkbox" '
                                'value="%s" title="{}" /></td>').format(admin_gettext("Select record"))
                         if context["actions"] else None)
        view = context["admin_view"]
        self.buttons = [(_CHANGING.get(getattr(action, "template_name", None)),
                         str(action.render(context, _ROW_ID, stand_in)))
                        for action in context["list_row_actions"]] \
            if view.column_display_actions else None
        # Each cell's formatter is called directly when Flask-Admin would only
        # pass its text on (no choices map; its type formatters take no str).
        choice_maps = view._column_choices_map
        self.cells = [(c, None if choice_maps.get(c) else view.column_formatters.get(c))
                      for c, _ in context["list_columns"]]
        self.view = view
        self.get_value = context["get_value"]


def _row(context, parts, row):
    """The cells of one list row, as Flask-Admin's list.html writes them (no
    column is edited in the list). A row the user may not edit (a file read
    on loan, a record frozen by its state) has no edit button
    (`row._may_edit` False), one they may not delete no delete button."""
    row_id = str(row.id)
    out = ["<tr>"]
    if parts.checkbox is not None:
        out.append(parts.checkbox.replace("%s", row_id, 1))
    if parts.buttons is not None:
        out.append('<td class="list-buttons-column">')
        out.extend(html.replace(_ROW_ID, row_id, 1)
                   for flag, html in parts.buttons if not flag or getattr(row, flag, True))
        out.append("</td>")
    view = parts.view
    for c, fmt in parts.cells:
        value = fmt(view, context, row, c) if fmt is not None else None
        if not isinstance(value, str):
            value = parts.get_value(context, row, c)
        out.append(f'<td class="col-{c}">{escape(value)}</td>')
    out.append("</tr>")
    return "".join(out)


@pass_context
def list_rows(context, rows):
    """The table rows of a list page in one call: Flask-Admin's list.html
    renders a scoped block per row (a copy of the whole template context
    each), several template calls per cell, and three macros, three url_for
    and a CSRF field for each row's buttons."""
    if not rows:
        return Markup('<tr><td colspan="999"><div class="text-center">%s</div></td></tr>'
                      ) % context["admin_view"].get_empty_list_message()
    parts = _RowParts(context)
    return Markup("".join(_row(context, parts, row) for row in rows))


@pass_context
def list_header(context):
    """The header cells of a list page, as Flask-Admin's list.html writes
    them: sort links (the current sort column's link inverts it), column
    descriptions as tooltips."""
    from flask_admin.babel import gettext as admin_gettext
    view = context["admin_view"]
    out = []
    if context["actions"]:
        out.append('<th class="list-checkbox-column"><input type="checkbox" name="rowtoggle" '
                   f'class="action-rowtoggle" title="{escape(admin_gettext("Select all records"))}" /></th>')
    if view.column_display_actions:
        out.append('<th class="">&nbsp;</th>')
    sort_column, sort_url = context["sort_column"], context["sort_url"]
    sort_by = admin_gettext("Sort by %(name)s")         # translated once, filled per column
    for column, (c, name) in enumerate(context["list_columns"]):
        name = str(name)
        cell = escape(name)
        if view.is_sortable(c):
            title = escape(sort_by % {"name": name})
            if sort_column == column:
                chevron = "down" if context["sort_desc"] else "up"
                cell = (f'<a href="{escape(sort_url(column, True))}" title="{title}">{cell} '
                        f'<span class="fa fa-chevron-{chevron} glyphicon glyphicon-chevron-{chevron}">'
                        '</span></a>')
            else:
                cell = f'<a href="{escape(sort_url(column))}" title="{title}">{cell}</a>'
        description = view.column_descriptions.get(c)
        if description:
            cell += (' <a class="fa fa-question-circle glyphicon glyphicon-question-sign" '
                     f'title="{escape(description)}" href="javascript:void(0)" data-role="tooltip"></a>')
        out.append(f'<th class="column-header col-{escape(c.replace(".", "-"))}">{cell}</th>')
    return Markup("".join(out))
