"""Deployment settings, read from `REFERRAL_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, IPvAnyNetwork, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from referral_api.domain.languages import Language
from referral_api.domain.ranking import RankingWeights

# In a source checkout (and an editable install) data/ and migrations/ sit at the repository
# root; an installed image points REFERRAL_PROJECT_DIR at its copy of them.
_CHECKOUT_DIR = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Everything a deployment may change, with defaults for the embedded SQLite mode."""

    model_config = SettingsConfigDict(env_prefix="REFERRAL_", extra="ignore")

    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; postgresql+psycopg://… in production. By default the "
        "SQLite file var/referral.sqlite3 of the project directory, wherever the command "
        "runs from: the server and `referral-api keys` find the same database.",
    )
    project_dir: Path = Field(
        default=_CHECKOUT_DIR,
        description="Folder holding data/ (the shipped sample) and migrations/.",
    )
    load_sample_when_empty: bool = Field(
        default=True,
        description="Load the shipped directory and gazetteer when the database has none.",
    )
    migrate_on_start: bool = Field(
        default=True, description="Apply database migrations when the app starts."
    )
    ranking: RankingWeights = Field(
        default_factory=RankingWeights,
        description="Ranking weights, as JSON: REFERRAL_RANKING='{\"distance\": 4.0}'",
    )
    docs_lang: Language = Field(
        default="fr",
        description="Language of the docs page and of /openapi.json when the request does not "
        "say (?lang= or Accept-Language): fr or en.",
    )
    snapshot_check_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How often an instance checks whether another one changed the directory.",
    )
    snapshot_dir: Path | None = Field(
        default=None,
        description="Folder of the snapshot files that workers and restarts map instead of "
        "rebuilding the directory's snapshot. They hold confidential locations, as the "
        "database does: a folder of the server's alone. By default next to a SQLite file; "
        "none for another database unless set.",
    )
    pool_size: int = Field(
        default=5,
        ge=1,
        le=100,
        description="PostgreSQL connections per worker process (as many again in bursts); "
        "keep workers × 2 × pool_size under the server's max_connections.",
    )
    statement_timeout_ms: int = Field(
        default=5000, ge=100, description="PostgreSQL cancels any statement running longer."
    )
    trusted_proxies: Annotated[tuple[IPvAnyNetwork, ...], NoDecode] = Field(
        default=(),
        description="Comma-separated addresses or CIDR ranges of the load balancers and "
        "reverse proxies in front of the API; only from them is X-Forwarded-For believed.",
    )
    idempotency_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a create claims its Idempotency-Key before it has answered: "
        "a duplicate meanwhile gets 409; once over (the first request's process died), a "
        "retry with the same key runs. Keep it above the longest a create may take.",
    )
    log_level: str = "info"

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.project_dir / 'var' / 'referral.sqlite3'}"
        if self.snapshot_dir is None:
            url = make_url(self.database_url)
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
                database = Path(url.database)
                self.snapshot_dir = database.with_name(f"{database.name}.snapshots")
        return self

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @property
    def services_path(self) -> Path:
        """The shipped directory of providers."""
        return self.project_dir / "data" / "services.geojson"

    @property
    def admin_areas_path(self) -> Path:
        """The shipped gazetteer of admin areas."""
        return self.project_dir / "data" / "admin_areas.geojson"

    @property
    def migrations_dir(self) -> Path:
        """The Alembic history."""
        return self.project_dir / "migrations"

    @property
    def localities_path(self) -> Path:
        """Named places without a P-code of their own."""
        return self.project_dir / "data" / "localities.csv"
