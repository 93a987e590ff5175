"""`flask --app wsgi portal sweep`: reminders, overdue marks and automatic
escalations, run by cron. Every sweeper is idempotent and safe to run on two
hosts at once: each state change is an UPDATE guarded by the state it
leaves, and each reminder has a unique dedupe key."""
from . import clock

SWEEPERS = []


def sweeper(fn):
    SWEEPERS.append(fn)
    return fn


@sweeper
def overdue_loans(now):
    from .workflows.borrowing import sweep_overdue
    return sweep_overdue(now)


@sweeper
def overdue_cases(now):
    from .workflows.cases import sweep_overdue_cases
    return sweep_overdue_cases(now)


def run_all(now=None):
    now = now or clock.now()
    return [(fn.__name__, fn(now)) for fn in SWEEPERS]
