"""All configuration in one place: environment variables prefixed RIGPORT_ (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from rigport.errors import InputError

SQLITE_FILE = "rigport.db"  # the embedded database, in the data directory


def database_url_for(data_dir: Path, database_url: str | None) -> str:
    """The configured URL, else the embedded SQLite file in `data_dir`."""
    return database_url or f"sqlite:///{data_dir / SQLITE_FILE}"


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("rigport", appauthor=False))


class Settings(BaseSettings):
    """Read once per process; tests build their own instances instead of patching globals."""

    model_config = SettingsConfigDict(env_prefix="RIGPORT_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir, description="Where the database and caches live.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default is SQLite in data_dir. e.g. postgresql+psycopg://user@host/db",
    )
    catalog_file: Path | None = Field(default=None, description="User CSV/TOML adding or overriding ASIC models.")
    risk_weights_file: Path | None = Field(default=None, description="TOML replacing the default hold-risk weights.")
    tariff_file: Path | None = Field(default=None, description="CSV replacing the bundled tariff table (same columns).")
    clock_file: Path | None = Field(default=None, description="CSV replacing the bundled legal-clock table.")
    mempool_api_url: str = Field(default="https://mempool.space/api", description="Live chain data source.")
    http_timeout_s: float = Field(default=10.0, gt=0)
    list_max_age_days: int = Field(default=30, ge=1, description="Warn when screening lists are older.")
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    max_document_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="Largest evidence file (PDF, PNG, JPEG) a shipment accepts; "
        "larger uploads are refused with 413 before their body is read.",
    )
    default_power_price_usd_kwh: float = Field(
        default=0.05, ge=0, description="Power price assumed for cost-of-delay figures when none is given."
    )
    debug: bool = Field(default=False, description="Show tracebacks for internal errors.")
    session_secret: str | None = Field(
        default=None,
        min_length=32,
        description="Key that signs dashboard session cookies; default: a random key kept in data_dir. "
        "Set it when several hosts serve one database.",
    )
    session_max_age_s: int = Field(default=12 * 3600, ge=60, description="Dashboard sessions end after this.")
    cookie_secure: bool = Field(
        default=True, description="Send the session cookie only over HTTPS (browsers treat 127.0.0.1 as secure)."
    )
    login_attempts_per_minute: int = Field(
        default=5, ge=1, description="Dashboard sign-in attempts allowed per account and per client address in 60 s."
    )
    view_cache_mb: int = Field(
        default=64, ge=0, description="Memory per server worker for encoded read views (shipment list and detail, "
        "portfolio), reused while the data they show is unchanged; 0 turns the cache off.",
    )
    worker_threads: int = Field(
        default=8, ge=1, le=1000, description="Threads per server worker for blocking work (writes, imports, "
        "dashboard pages); requests beyond them wait their turn.",
    )
    web_max_paths: int = Field(default=20_000, ge=100, description="Largest simulation the dashboard runs inline.")
    # Reminders and calendars (issue #29, docs/reminders.md)
    public_url: str = Field(default="http://127.0.0.1:8000", description="Base URL of the dashboard, for links "
                            "in calendar entries and reminders.", pattern=r"^https?://\S+$")
    smtp_host: str | None = Field(default=None, description="SMTP server for e-mail reminders.")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = Field(default=None, description="SMTP login; none: send without AUTH.")
    smtp_password: str | None = Field(default=None)
    smtp_from: str = Field(default="rigport@localhost", description="From address of e-mail reminders.")
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_timeout_s: float = Field(default=20.0, gt=0)
    notify_interval_s: int = Field(default=60, ge=0, le=86400, description="Seconds between reminder passes "
                                   "inside `rigport serve` (one worker sends); 0: none (use `rigport notify run`).")

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / SQLITE_FILE

    @property
    def effective_database_url(self) -> str:
        return database_url_for(self.data_dir, self.database_url)

    @property
    def session_secret_path(self) -> Path:
        return self.data_dir / "session-secret"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment; a bad RIGPORT_* value is an InputError naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"RIGPORT_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}, got {error['input']!r}"
            for error in exc.errors()
        )
        raise InputError(problems) from None
