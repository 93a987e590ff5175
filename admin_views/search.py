"""Text search of a register list.

Terms are separated by ASCII or full-width spaces (U+3000, typed by Chinese
input methods); every term must match one of the register's search fields;
`%` and `_` typed by the user match themselves.
"""
import re

from peewee import SQL, NodeList, Value

_SPLIT = re.compile(r"[\s\u3000]+")
CONTROL = re.compile("[\x00-\x1f\x7f]")
MAX_TERMS = 8
MAX_LEN = 200


def terms(text):
    text = CONTROL.sub(" ", (text or "")[:MAX_LEN])
    return [t for t in _SPLIT.split(text) if t][:MAX_TERMS]


def like_pattern(term):
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(field, term):
    """`field` contains `term`, case-insensitive, wildcards escaped."""
    from portal.db import is_postgres
    op = "ILIKE" if is_postgres() else "LIKE"
    return NodeList((field, SQL(op), Value(like_pattern(term)), SQL("ESCAPE '\\'")))


def apply(query, fields, text):
    for term in terms(text):
        clause = None
        for field in fields:
            c = contains(field, term)
            clause = c if clause is None else (clause | c)
        if clause is not None:
            query = query.where(clause)
    return query
