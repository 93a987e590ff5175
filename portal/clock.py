"""The portal's clock. Every deadline, lock and grant asks `now()`, so tests
can move time (`clock.set(...)`) instead of sleeping."""
from datetime import date, datetime

_frozen: datetime | None = None


def now() -> datetime:
    if _frozen is not None:
        return _frozen
    return datetime.now().replace(microsecond=0)


def today() -> date:
    return now().date()


def set(moment: datetime | None):
    """Freeze the clock at `moment` (None: back to real time)."""
    global _frozen
    _frozen = moment
