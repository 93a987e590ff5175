"""Build the translation catalogues of our own labels and messages.

Labels and messages are written in Simplified Chinese in the code (the
source language). This script collects them from the register metadata and
from gettext-style calls in code and templates, then writes

  portal/translations/zh_Hant_TW/LC_MESSAGES/messages.po/.mo  (OpenCC s2twp)
  portal/translations/en/LC_MESSAGES/messages.po/.mo

English entries already in the .po are kept (edit them there); new ones are
taken from scripts/en_ui.py or derived from the field, register or choice
code name. Run after adding registers or messages:

    .venv/bin/pip install opencc-python-reimplemented==0.1.7
    .venv/bin/python scripts/build_translations.py
"""
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PORTAL_INSTANCE", "/tmp/portal-i18n")

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

CALL = re.compile(r"""\b(?:gettext|lazy_gettext|ngettext|tr|lazy)\(\s*(["'])((?:(?!\1).)+)\1""")
PLURAL = re.compile(r"""\bngettext\(\s*(["'])((?:(?!\1).)+)\1\s*,\s*(["'])((?:(?!\3).)+)\3""")
HAS_CJK = re.compile(r"[\u3400-\u9fff]")


def humanize(name: str) -> str:
    name = re.sub(r"(?<!^)(?=[A-Z])", " ", name).replace("_", " ").strip()
    return name[:1].upper() + name[1:].lower() if name else name


def collect():
    """msgid -> English suggestion (or None)."""
    from portal import create_app, registry
    from permissions.roles import ROLES, SYSTEM_REGISTERS
    create_app({"DATABASE_URL": "sqlite:///:memory:"})
    found = {}

    def add(text, english=None):
        if text and HAS_CJK.search(str(text)):
            found.setdefault(str(text), english)

    for key, label in registry.GROUPS:
        add(label, humanize(key))
    for verb, label in registry.VERB_LABELS.items():
        add(label, humanize(verb))
    for name, label in registry.FIELD_LABELS.items():
        add(label, humanize(name))
    for key, name, _ in ROLES:
        add(name, humanize(key))
    for key, (label, _) in SYSTEM_REGISTERS.items():
        add(label, humanize(key))
    from portal import reports
    for rep in reports.REPORTS.values():
        add(rep.label, humanize(rep.name))
        for param in rep.params:
            add(param[1])
            for _, label in reports.choices_of(param):
                add(label)
    for spec in registry.all_specs():
        add(spec.label, humanize(spec.model.__name__))
        for sig in spec.signatures:
            add(sig)
        for name, purpose in spec.copies:
            add(name)
            add(purpose)
        for label, _ in spec.downloads.values():
            add(label)
        for child, _ in spec.inline_children():
            if child.__doc__:
                add(registry.child_label(child))
            for field in child._meta.sorted_fields:
                add(field.verbose_name, humanize(field.name))
                for code, label in (field.choices or ()):
                    add(label, humanize(str(code)))
        for field in spec.model._meta.sorted_fields:
            add(spec.label_of(field.name), humanize(field.name))
            if field.help_text:
                add(field.help_text)
            for code, label in (field.choices or ()):
                add(label, humanize(str(code)))
            for code, label in (getattr(field, "options", None) or ()):
                add(label, humanize(str(code)))
        if spec.workflow:
            for code, label in spec.workflow.state_choices():
                add(label, humanize(code))
            for t in spec.workflow.transitions.values():
                add(t.label, humanize(t.name))
                add(t.confirm)
                for i in t.inputs:
                    add(i.label, humanize(i.name))
                    add(i.help)
                    for code, label in (i.choices or ()):
                        add(label, humanize(str(code)))
    messages, plurals = source_messages()
    for msgid in messages:
        add(msgid)
    return found, plurals


def source_messages(root=ROOT):
    """The messages of gettext-style calls in our code and templates, and
    the plural forms of those that have one."""
    messages, plurals = [], {}
    for base in ("portal", "admin_views", "permissions", "seed", "models.py"):
        path = root / base
        files = [path] if path.is_file() else list(path.rglob("*.py")) + list(path.rglob("*.html"))
        for file in files:
            text = file.read_text(encoding="utf-8")
            if file.suffix == ".py":
                for msgid, plural in python_messages(text):
                    messages.append(msgid)
                    if plural:
                        plurals[msgid] = plural
            else:
                for m in PLURAL.finditer(text):
                    plurals[m.group(2)] = m.group(4)
                messages += [m.group(2) for m in CALL.finditer(text)]
    return messages, plurals


def python_messages(source):
    """(msgid, plural) of gettext-style calls with literal strings, exactly as
    Python reads them (escapes, implicit concatenation)."""
    import ast
    names = {"gettext", "lazy_gettext", "ngettext", "tr", "lazy"}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func.id if isinstance(node.func, ast.Name) else (
            node.func.attr if isinstance(node.func, ast.Attribute) else None)
        if func not in names:
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            plural = None
            if func == "ngettext" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                plural = node.args[1].value
            yield first.value, plural


def build(locale, found, plurals, translate):
    po_path = ROOT / "portal" / "translations" / locale / "LC_MESSAGES" / "messages.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    old = {}
    if po_path.exists():
        with open(po_path, "rb") as fh:
            for msg in read_po(fh):
                if msg.id and msg.string:
                    old[msg.id if isinstance(msg.id, str) else msg.id[0]] = msg.string
    catalog = Catalog(locale=locale, domain="messages", project="customer-records-portal",
                      fuzzy=False)
    missing = []
    for msgid in sorted(found):
        if msgid in plurals:
            continue
        string = old.get(msgid) or translate(msgid, found[msgid])
        if not string:
            missing.append(msgid)
        catalog.add(msgid, string or "")
    for singular, plural in sorted(plurals.items()):
        prev = old.get(singular)
        if isinstance(prev, (tuple, list)):
            strings = tuple(prev)
        else:
            one = translate(singular, None) or ""
            many = translate(plural, None) or one
            strings = (one, many) if locale == "en" else (one,)
        catalog.add((singular, plural), strings)
    with open(po_path, "wb") as fh:
        write_po(fh, catalog, width=0, sort_output=True)
    with open(po_path.with_suffix(".mo"), "wb") as fh:
        write_mo(fh, catalog)
    return missing


def main():
    from opencc import OpenCC
    sys.path.insert(0, str(ROOT / "scripts"))
    from en_messages import EN_MORE
    from en_ui import EN
    EN = dict(EN_MORE, **EN)
    found, plurals = collect()
    cc = OpenCC("s2t")  # characters only: keep the documents' own terms (信息, not 資訊)
    build("zh_Hant_TW", found, plurals, lambda msgid, _: cc.convert(msgid))
    missing = build("en", found, plurals, lambda msgid, hint: EN.get(msgid) or hint)
    print(f"{len(found)} messages; English missing for {len(missing)}")
    for msgid in missing:
        print("  ", msgid)


if __name__ == "__main__":
    main()
