"""「待我处理」: per workflow register, how many records wait for the user
(a transition they may take leaves from the record's state, and the
transition's relations name them), counted under the same row rules as the
lists."""
import permissions

from .. import registry


def waiting_query(actor, spec):
    Model = spec.model
    return (permissions.rows(actor, "view", Model, fields=(Model.id,))
            .where(spec.workflow.queue_expression(actor)))


def queue_registers(actor):
    """The workflow registers in which `actor` may read and take a transition."""
    for spec in registry.all_specs():
        if spec.workflow is None or not permissions.can(actor, "view", spec.model):
            continue
        if any(permissions.can(actor, t.name, spec.model) for t in spec.workflow.transitions.values()):
            yield spec


def waiting_for(actor):
    """[(spec, count)] of the registers with records waiting for `actor`."""
    out = []
    for spec in queue_registers(actor):
        count = waiting_query(actor, spec).count()
        if count:
            out.append((spec, count))
    return out
