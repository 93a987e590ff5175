"""Settings from PORTAL_* environment variables, with safe defaults."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOCALES = ("zh_Hans_CN", "zh_Hant_TW", "en")


def _instance_dir() -> Path:
    path = Path(os.environ.get("PORTAL_INSTANCE", ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    """PORTAL_SECRET_KEY, or a key generated once and kept in instance/."""
    key = os.environ.get("PORTAL_SECRET_KEY")
    if key:
        return key
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load(overrides: dict | None = None) -> dict:
    instance = _instance_dir()
    default_db = f"sqlite:///{instance / 'portal.db'}"
    cfg = {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": os.environ.get("PORTAL_DATABASE_URL", default_db),
        "SECRET_KEY": _secret_key(instance),
        "DEFAULT_LOCALE": os.environ.get("PORTAL_LOCALE", "zh_Hans_CN"),
        "DEMO_PASSWORD": os.environ.get("PORTAL_DEMO_PASSWORD", "demo-pass"),
        # Behind a reverse proxy: trust its X-Forwarded-For / -Proto (one hop).
        "PROXY_FIX": os.environ.get("PORTAL_PROXY_FIX", "") == "1",
        # Login protection: 5 failures from clients the account never signed in
        # from lock it for them for 15 minutes; its known clients (a signed
        # cookie, valid this many days) keep their own count (portal/auth.py).
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCK_MINUTES": 15,
        "KNOWN_DEVICE_DAYS": 90,
        # Rate limits (portal/limits.py), in a store every worker shares: by
        # default a SQLite file of counters in instance/ (one host), or Redis.
        "RATELIMIT_STORAGE_URI": os.environ.get("PORTAL_RATELIMIT_STORAGE_URL",
                                                f"sqlite:///{instance / 'ratelimit.db'}"),
        "RATE_LIMITS": os.environ.get("PORTAL_RATE_LIMITS", "1") != "0",
        "RATELIMIT_LOGIN": os.environ.get("PORTAL_RATELIMIT_LOGIN", "10 per minute"),
        "RATELIMIT_LOOKUP": os.environ.get("PORTAL_RATELIMIT_LOOKUP", "10 per second;300 per minute"),
        "RATELIMIT_EXPORT": os.environ.get("PORTAL_RATELIMIT_EXPORT", "10 per minute;100 per hour"),
        "RATELIMIT_API": os.environ.get("PORTAL_RATELIMIT_API", "20 per second;600 per minute"),
        "RATELIMIT_STRATEGY": "fixed-window",
        # a store that stops answering: each process counts in memory meanwhile
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Sessions: idle and absolute limits; cookies HttpOnly + SameSite=Lax.
        "SESSION_IDLE_MINUTES": int(os.environ.get("PORTAL_SESSION_IDLE_MINUTES", 120)),
        "SESSION_ABSOLUTE_HOURS": int(os.environ.get("PORTAL_SESSION_ABSOLUTE_HOURS", 12)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("PORTAL_HTTPS", "") == "1",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # Clerks fill long forms: the CSRF token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken", "X-CSRF-Token"],
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "PAGE_SIZE": 20,
        # Lists count their rows up to this many, then show "1000+ 条".
        "LIST_COUNT_LIMIT": int(os.environ.get("PORTAL_LIST_COUNT_LIMIT", 1000)),
        # X-Query-Count response header: the SQL statements of the request (benchmarks).
        "QUERY_COUNT": os.environ.get("PORTAL_QUERY_COUNT", "") == "1",
        "API_MAX_PER_PAGE": 200,
        # Import limits (bytes / rows).
        "IMPORT_MAX_BYTES": int(os.environ.get("PORTAL_IMPORT_MAX_BYTES", 20 * 1024 * 1024)),
        "IMPORT_MAX_ROWS": int(os.environ.get("PORTAL_IMPORT_MAX_ROWS", 100_000)),
        # werkzeug's scrypt; tests may lower the cost.
        "PASSWORD_METHOD": "scrypt",
    }
    if overrides:
        cfg.update(overrides)
    if cfg.get("TESTING") and "RATE_LIMITS" not in (overrides or {}):
        # a test suite logs in hundreds of times a minute from one address;
        # the tests of the limits switch them on
        cfg["RATE_LIMITS"] = False
    # the largest request: an import file plus the form around it
    cfg.setdefault("MAX_CONTENT_LENGTH", cfg["IMPORT_MAX_BYTES"] + 1024 * 1024)
    return cfg
