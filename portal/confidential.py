"""Reads of confidential content are audited (issue: every read of a
restricted or sealed record's content is logged with the grant that allowed
it): details, edit form, API read and export rows."""
from . import audit
from .registry import spec_for

AUDITED_LEVELS = ("restricted", "secret", "sealed")


def grant_reason(actor, spec, row) -> str:
    """Why `actor` may read `row` (the first rule that applies)."""
    from permissions import rules
    emp = actor.employee_id
    if spec.owner_field and emp and row.__data__.get(spec.owner_field) == emp:
        return "owner"
    if emp and row.__data__.get("custodian") == emp:
        return "custodian"
    roles = actor.role_keys
    for role in rules.SEALED_READERS + rules.RESTRICTED_READERS:
        if role in roles:
            return f"role:{role}"
    loan = rules.active_loan(actor, spec, row.id)
    if loan is not None:
        return f"borrow_request:{loan.record_no}"
    return "department"


def note_reads(actor, spec, rows, how="details"):
    if not spec.archive:
        return
    for row in rows:
        if getattr(row, "confidentiality", None) in AUDITED_LEVELS:
            audit.record(actor, "read", spec.name, row, grant=grant_reason(actor, spec, row),
                         comment=how)


def note_read(actor, row, how="details"):
    spec = spec_for(type(row))
    if spec is not None:
        note_reads(actor, spec, [row], how)
