"""One gate: every read of a register's rows goes through `permissions.rows()`
/ `permissions.row()` (the matrix, the row rule, the deletion state and the
borrow grants in one place). This test walks the application's source and
fails on any `select()` / `get()` of a register model elsewhere, unless the
function is in ALLOWED below with the reason it may read outside the gate.

Reference registers (row scope "all": departments, employees, regions,
settings, holidays...) are read by the framework to resolve the organisation
and are not checked. Demo data, benchmarks and scripts are not serving code
and are not walked."""
import ast
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
WALKED = ["models.py", "portal", "admin_views"]
READS = ("select", "get", "get_or_none", "get_by_id")
# receivers that are some register's model, whichever it is
GENERIC = {"model", "Model", "klass"}

WRITE_PATH = "the write path re-reads or checks related records it validates; nothing is shown"
GUARD = "a workflow guard or effect checks related records; nothing is shown"
UNIQUE = "a uniqueness or period check over the whole register; only a yes/no is used"
SYSTEM = "a system job (sweep) acting on every record, no user's view"
ALLOWED = {
    # the views: reads of ids that came out of the gate
    "admin_views/listing.py::page": "loads the ids of the page the gated query selected",
    "admin_views/export.py::Tally.audit": "audits the reads of the ids the gated export wrote",
    "admin_views/export.py::may_copy": "narrows one already-read row by the copy rule (R-ARC-15)",
    "admin_views/export.py::exportable_rows": "the actor's own copy loans (R-ARC-15), a rule",
    "admin_views/catalogue.py::ArchiveCatalogueView.index":
        "the archive catalogue lists number and title of every file so that staff can ask to "
        "borrow one (R-ARC-11); content needs the gate; the user's own loans",
    # spec-less related models (a related table that is not a register)
    "admin_views/filters.py::RelatedEqual._scope": "a related table that is not a register",
    "admin_views/filters.py::RelatedContains.apply": "a related table that is not a register",
    "admin_views/forms.py::ScopedLoader.query": "a related table that is not a register",
    "admin_views/forms.py::ScopedLoader.get_one": "a related table that is not a register",
    "portal/importer.py::Lookup.__init__": "a related table that is not a register",
    "admin_views/reports.py::ReportsView._options": "department and region names (reference)",
    "portal/reports.py::_names": "department and region names (reference)",
    "portal/importer.py::Lookup.instance": "an id the gated lookup of the same import found",
    # the write path (portal/services.py and the registers' hooks)
    "portal/services.py::validate": UNIQUE,
    "portal/services.py::create_many": "the ids of the rows this import just inserted",
    "portal/services.py::update": "re-reads under the lock the row the caller was given by the gate",
    "portal/services.py::write_decision": "re-reads under the lock the row the caller was given by the gate",
    "portal/services.py::soft_delete": "re-reads under the lock the row the caller was given by the gate",
    "portal/workflows/cases.py::_reopen": "the one case a reopen made of this case (R-CMP-34); its number only",
    "models.py::note_tracking": WRITE_PATH,
    "models.py::_update_customer": WRITE_PATH,
    "models.py::_open_trading": GUARD,
    "models.py::TradeStartInvestigation.check": WRITE_PATH,
    "models.py::_tracking_to_customer": WRITE_PATH,
    "models.py::CustomerTrackingRecord.derive": WRITE_PATH,
    "models.py::CustomerTrackingRecord.check": WRITE_PATH,
    "models.py::DemandFollowUp._refresh_lead": WRITE_PATH,
    "models.py::DemandMonthlyReport.recount": "the monthly figures count every lead (000-一 第十一条)",
    "models.py::DemandMonthlyReport.check": UNIQUE,
    "models.py::ConsumerRevisit.derive": WRITE_PATH,
    "models.py::ConsumerRevisit.check": WRITE_PATH,
    "models.py::_key_account_problem": WRITE_PATH,
    "models.py::KeyAccountUsage.check": UNIQUE,
    "models.py::PatrolMonthlyReport.compile_month": "the monthly report counts every urgent report",
    "models.py::PatrolMonthlyReport.check": UNIQUE,
    "models.py::_contact_link_complaint": GUARD,
    "models.py::SatisfactionSurvey.check": WRITE_PATH,
    "models.py::OpinionBookEntry.check": WRITE_PATH,
    "models.py::ComplaintHandlingForm.check": WRITE_PATH,
    "models.py::ComplaintStatistics.derive": "the statistics count every case of the period (R-CMP-10)",
    "models.py::ComplaintStatistics.check": UNIQUE,
    "models.py::_sc_book_guard": GUARD,
    "models.py::ServiceContract.check": UNIQUE,
    "models.py::WarrantyExpiryNotice.check": UNIQUE,
    "models.py::_sc_request_vouchers": GUARD,
    "models.py::_sc_request_receipts": GUARD,
    "models.py::_sc_request_ledger": GUARD,
    "models.py::_sc_request_tags": GUARD,
    "models.py::CustomerGoodsLedger.check": WRITE_PATH,
    "models.py::TechnicianDailyReport.check": UNIQUE,
    "models.py::ServiceDailyReport.derive": "the daily report counts the undispatched calls",
    "models.py::ServiceDailyReport.check": UNIQUE,
    "models.py::VisitorReceptionSlip.arrival_problems": GUARD,
    "models.py::_e_rows": GUARD,
    "models.py::_e_project": GUARD,
    "models.py::IntermediateInspection.check": UNIQUE,
    "models.py::ServicePointsMonthly.check": UNIQUE,
    "models.py::QuarterlyRanking.check": UNIQUE,
    "models.py::RecordReference.target": "the record a loan or a disposal names, for the write path",
    "portal/workflows/handover.py::_depart_guard": "whether the leaver's handover is complete (WF-05)",
    "portal/workflows/handover.py::execute_in_chunks":
        "the handover a permission-checked transition just marked 移交中, moved after its commit",
    "portal/workflows/handover.py::leaving_employees":
        "who is leaving (executed handovers): a rule on every assignment (R-HND-01)",
    "portal/workflows/cases.py::after_save": "counts the customer's complaints on the same matter (个案)",
    "portal/workflows/handover.py::holdings":
        "everything the leaver holds, for the handover list (R-HND); HR needs all of it",
    "portal/workflows/handover.py::_borrow_items": "the leaver's open loans (R-HND)",
    "portal/workflows/handover.py::check_record": WRITE_PATH,
    "portal/workflows/handover.py::customer_notice_rows":
        "the customers moved by a handover the actor may read, to be told (003 §4.3)",
    "portal/workflows/engine.py::Workflow.run":
        "a step taken on behalf of another record's transition, which was checked (R-CUS-04)",
    # system jobs
    "portal/sweep.py::due_reminders": SYSTEM,
    "portal/workflows/borrowing.py::sweep_overdue": SYSTEM,
    "portal/workflows/cases.py::sweep_overdue_cases": SYSTEM,
}


def register_models():
    import models
    from portal.registry import discover
    return {spec.model.__name__ for spec in discover(models).values() if spec.row_scope != "all"}


def source_files():
    for name in WALKED:
        path = ROOT / name
        if path.is_dir():
            yield from sorted(path.rglob("*.py"))
        elif path.exists():
            yield path


def reads_outside_the_gate(names):
    """{"path::function": [(line, text)]} of register reads and hand-made row rules."""
    found = {}
    for path in source_files():
        text = path.read_text()
        lines = text.splitlines()
        rel = path.relative_to(ROOT).as_posix()

        def walk(node, scope):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    walk(child, scope + [child.name])
                    continue
                if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
                    receiver = child.func.value
                    name = getattr(receiver, "id", None) or getattr(receiver, "attr", None)
                    register_read = child.func.attr in READS and (name in names or name in GENERIC)
                    hand_rule = child.func.attr in ("row_filter", "loan_clause", "grant_clause")
                    if register_read or hand_rule:
                        key = f"{rel}::{'.'.join(scope)}"
                        found.setdefault(key, []).append((child.lineno, lines[child.lineno - 1].strip()))
                walk(child, scope)
        walk(ast.parse(text), [])
    return found


@pytest.fixture(scope="module")
def found(app):
    return reads_outside_the_gate(register_models())


def test_no_register_is_read_outside_the_gate(found):
    unexplained = {k: v for k, v in found.items() if k not in ALLOWED}
    assert not unexplained, "reads outside permissions.rows()/row(): " + "; ".join(
        f"{k} line {v[0][0]}: {v[0][1]}" for k, v in unexplained.items())


def test_the_allowlist_names_only_reads_that_exist(found):
    stale = sorted(set(ALLOWED) - set(found))
    assert not stale, f"allowlist entries with no read left (remove them): {stale}"


def test_the_scan_sees_a_read_outside_the_gate(tmp_path, monkeypatch):
    """The scanner itself: a plain Complaint.select() in a view is reported."""
    sample = tmp_path / "admin_views"
    sample.mkdir()
    (sample / "leak.py").write_text("def leak():\n    return Complaint.select()\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    hits = reads_outside_the_gate({"Complaint"})
    assert list(hits) == ["admin_views/leak.py::leak"]
