"""Large registers (`Register.large = True`, e.g. complaints and customers):
list indexes and a Chinese text index.

List indexes
    - the scope index: (deleted_at, id, <every column the row rule reads>).
      Live rows in id order, with the row rule answerable from the index
      alone: the default sort and a deep page (OFFSET) walk the index
      without reading the table;
    - (state, deleted_at, id) for the workflow state filter;
    - one per date column of the list (sort and range filters).

Text index
    Trigram indexes miss two-character terms (质量), so the searchable text is
    split into overlapping two-character tokens ("bigrams"), each field ending
    with its last character alone (it matches one-character terms, and keeps a
    phrase from running across two fields). A term of two or more characters
    is then the phrase of its bigrams, a one-character term a prefix match.
    - SQLite: a contentless FTS5 table `<table>_text` (rowid = record id),
      kept current by triggers on insert, update of the searched fields and
      delete, which call `portal_bigrams()`, a function registered on every
      connection (portal.db). Every write path is covered, bulk inserts too.
    - PostgreSQL: a GIN index on the expression `portal_bigrams(<fields>)`, an
      immutable SQL function returning the bigram array; always current.
      The ILIKE of the search still decides (the array says only that every
      bigram occurs somewhere).
Both are created by `create_schema()` (init-db, test database), and filled
from the existing rows when the text index is new.
"""
from peewee import SQL, DateField, DateTimeField, NodeList, Value

from . import registry
from .db import db, is_postgres, is_sqlite

# The FTS5 "ascii" tokenizer keeps every non-ASCII character in a token and
# splits on ASCII punctuation: those are mapped to private-use characters so
# that "2611-07" or "a/b" stay searchable like any other text.
_PUNCTUATION = {c: 0xE000 + c for c in range(0x21, 0x7F) if not chr(c).isalnum()}


def bigrams(text):
    """The tokens of one text: every pair of adjacent characters, then the
    last character of each run of non-space characters."""
    out = []
    for word in (text or "").lower().translate(_PUNCTUATION).split():
        out += map(str.__add__, word, word[1:])
        out.append(word[-1])
    return out


def document(*parts):
    """What the SQLite text index holds for one record (`portal_bigrams()`)."""
    return " ".join(token for part in parts if part for token in bigrams(str(part)))


def match_expression(terms):
    """FTS5 query: every term, a phrase of its bigrams (or a prefix for one character)."""
    clauses = []
    for term in terms:
        tokens = bigrams(term)
        if len(tokens) == 1:
            clauses.append(f'"{tokens[0]}" *')
        else:
            clauses.append('"' + " ".join(tokens[:-1]) + '"')
    return " AND ".join(clauses)


# Metadata ----------------------------------------------------------------------

def large_specs():
    return [s for s in registry.all_specs() if s.large]


def text_table(spec):
    return f"{spec.model._meta.table_name}_text"


def rule_columns(spec):
    """The columns the register's row rule reads (permissions/rules.py)."""
    fields = spec.fields
    names = list(spec.dept_fields)
    if spec.row_scope == "archive":
        names += [n for n in (spec.owner_field, "custodian", "confidentiality", "region")
                  if n and n in fields]
    else:
        names += list(spec.person_fields)
        if "created_by" in fields:
            names.append("created_by")
    return list(dict.fromkeys(names))


def list_indexes(spec):
    """(index name, column names) of a large register."""
    fields = spec.fields
    table = spec.model._meta.table_name
    out = [(f"{table}_scope_lx", ["deleted_at", "id"] + rule_columns(spec))]
    if spec.workflow is not None:
        out.append((f"{table}_state_lx", [spec.workflow.state_field, "deleted_at", "id"]))
    for name in dict.fromkeys(spec.list_columns + spec.filters):
        if isinstance(fields.get(name), (DateField, DateTimeField)):
            out.append((f"{table}_{name}_lx", ["deleted_at", name]))
    return out


def _column(spec, name):
    return spec.fields[name].column_name


# Schema ------------------------------------------------------------------------

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_bigrams(VARIADIC parts text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(w, i, 2)), '{}')
  FROM unnest(parts) AS p(part),
       regexp_split_to_table(lower(coalesce(part, '')), '\\s+') AS w,
       generate_series(1, char_length(w)) AS i
$$"""


def create_indexes():
    """List indexes and text indexes of every large register (idempotent)."""
    specs = large_specs()
    if not specs:
        return
    if is_postgres():
        db.execute_sql(PG_FUNCTION)
    for spec in specs:
        table = spec.model._meta.table_name
        for name, columns in list_indexes(spec):
            cols = ", ".join(f'"{_column(spec, c)}"' for c in columns)
            db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})')
        if is_sqlite():
            _create_fts(spec)
        elif is_postgres():
            fields = ", ".join(f'"{_column(spec, n)}"' for n in spec.search)
            db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{table}_text_gin" ON "{table}" '
                           f'USING gin (portal_bigrams({fields}))')


def _create_fts(spec):
    table = spec.model._meta.table_name
    fts = text_table(spec)
    exists = db.execute_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (fts,)).fetchone()
    new_doc = "portal_bigrams(" + ", ".join(f'new."{_column(spec, n)}"' for n in spec.search) + ")"
    old_doc = "portal_bigrams(" + ", ".join(f'old."{_column(spec, n)}"' for n in spec.search) + ")"
    watched = ", ".join(f'"{_column(spec, n)}"' for n in spec.search)
    with db.atomic():
        if not exists:
            # contentless: the index keeps tokens only, the text stays in the table
            db.execute_sql(f'CREATE VIRTUAL TABLE "{fts}" USING fts5(terms, content=\'\', '
                           f'columnsize=0, tokenize=\'ascii\')')
            db.execute_sql(f'INSERT INTO "{fts}"(rowid, terms) SELECT id, '
                           f'{new_doc.replace("new.", "")} FROM "{table}"')
        db.execute_sql(
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_ai" AFTER INSERT ON "{table}" BEGIN '
            f'INSERT INTO "{fts}"(rowid, terms) VALUES (new.id, {new_doc}); END')
        db.execute_sql(
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_au" AFTER UPDATE OF {watched} ON "{table}" BEGIN '
            f'INSERT INTO "{fts}"("{fts}", rowid, terms) VALUES (\'delete\', old.id, {old_doc}); '
            f'INSERT INTO "{fts}"(rowid, terms) VALUES (new.id, {new_doc}); END')
        db.execute_sql(
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_ad" AFTER DELETE ON "{table}" BEGIN '
            f'INSERT INTO "{fts}"("{fts}", rowid, terms) VALUES (\'delete\', old.id, {old_doc}); END')


def managed_indexes():
    """Names of the indexes create_indexes() makes (not declared on the models)."""
    names = set()
    for spec in large_specs():
        names.update(name for name, _ in list_indexes(spec))
        names.add(f"{spec.model._meta.table_name}_text_gin")
    return names


def register_functions(database):
    """SQLite: `portal_bigrams(...)`, used by the text index triggers."""
    database.register_function(document, "portal_bigrams", -1, deterministic=True)


# Queries -----------------------------------------------------------------------

_TEXT_MODELS = {}


def text_model(spec):
    """A peewee model of a register's FTS5 table (SQLite), to join on."""
    from peewee import Model
    from playhouse.sqlite_ext import RowIDField
    name = text_table(spec)
    if name not in _TEXT_MODELS:
        meta = type("Meta", (), {"database": db, "table_name": name, "primary_key": False})
        _TEXT_MODELS[name] = type(f"{spec.model.__name__}Text", (Model,),
                                  {"rowid": RowIDField(), "Meta": meta})
    return _TEXT_MODELS[name]


def search(query, spec, terms):
    """(query, exact): `query` narrowed to the rows holding every term by the
    register's text index; `exact` says the index answered alone (SQLite),
    otherwise the caller's ILIKE still decides (PostgreSQL: the bigram array
    only says every bigram occurs somewhere). Unchanged for other registers.

    On SQLite the index is joined, and its rowid (= the record id) stands in
    for the id in the sort (`id_order`): the page is then read in the order
    of the index, stopping after the page, instead of sorting every match."""
    if not spec.large or not terms:
        return query, False
    model = spec.model
    if is_sqlite():
        text = text_model(spec)
        query = (query.join(text, on=(text.rowid == model.id))
                 .where(NodeList((SQL(f'"{text_table(spec)}" MATCH'), Value(match_expression(terms))))))
        query.id_order = text.rowid
        return query, True
    if is_postgres():
        pairs = sorted({t for term in terms if len(term) > 1 for t in _pg_bigrams(term)})
        if pairs:
            from peewee import fn
            fields = [getattr(model, n) for n in spec.search]
            query = query.where(NodeList((fn.portal_bigrams(*fields), SQL("@>"), NodeList(
                (SQL("CAST("), Value(pairs, unpack=False), SQL("AS text[])"))))))
    return query, False


def _pg_bigrams(term):
    term = term.lower()
    return [term[i:i + 2] for i in range(len(term) - 1)]
