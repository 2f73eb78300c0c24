"""The `referral-api` command: serve, migrate, load, export, print pathways, manage keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from referral_api import operations
from referral_api.db import repository
from referral_api.db.engine import engine_for
from referral_api.db.errors import domain_error
from referral_api.db.migrate import upgrade
from referral_api.db.snapshot import DirectorySnapshots
from referral_api.domain.errors import InvalidInputError, NotFoundError
from referral_api.domain.keys import Role, digest, new_key
from referral_api.domain.languages import LANGUAGES
from referral_api.interop.geojson import parse_admin_areas, parse_directory, read_json
from referral_api.interop.localities import read_localities
from referral_api.interop.pathway_pdf import render_pdf
from referral_api.logs import logging_config
from referral_api.metrics import shared_metrics
from referral_api.pathways import pathway_sheet
from referral_api.settings import Settings

app = typer.Typer(help="GBV referral pathway directory and routing API.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
keys_app = typer.Typer(help="API keys of partners and admins.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _fail(error: InvalidInputError) -> typer.Exit:
    typer.echo(f"error: {error.detail}", err=True)
    for problem in error.problems[:50]:
        where = "/".join(str(part) for part in problem.location)
        typer.echo(f"  {where}: {problem.message}", err=True)
    if len(error.problems) > 50:
        typer.echo(f"  … and {len(error.problems) - 50} more", err=True)
    return typer.Exit(code=2)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the API (migrating the database and loading the sample when it is empty)."""
    settings = Settings()
    with shared_metrics(workers):
        _run(settings, host, port, workers)


def _run(settings: Settings, host: str, port: int, workers: int) -> None:
    uvicorn.run(
        "referral_api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # uvicorn's access log records client addresses and query strings (coordinates of
        # GET searches); the app writes its own, without either.
        access_log=False,
        # uvicorn would rewrite the client address from X-Forwarded-For sent by any peer in
        # FORWARDED_ALLOW_IPS (127.0.0.1 unless set), letting a client rotate addresses past
        # the brake; the app reads the header itself, from REFERRAL_TRUSTED_PROXIES alone.
        proxy_headers=False,
        log_config=logging_config(settings.log_level),
        log_level=settings.log_level,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""
    settings = Settings()
    upgrade(
        settings.migrations_dir,
        engine_for(settings),
    )
    typer.echo("database is at the newest revision")


@app.command()
def load(
    path: Annotated[Path, typer.Argument(help="A directory FeatureCollection (.geojson)")],
    areas: Annotated[
        Path | None, typer.Option(help="Also load an admin-area FeatureCollection")
    ] = None,
) -> None:
    """Load providers (and organizations) from GeoJSON, all in one transaction."""
    settings = Settings()
    engine = engine_for(settings)
    try:
        organizations, providers = parse_directory(read_json(path))
        admin_areas = parse_admin_areas(read_json(areas)) if areas else []
        upgrade(settings.migrations_dir, engine)
        with Session(engine) as session:
            if admin_areas:
                operations.load_admin_areas(session=session, areas=admin_areas)
            elif not repository.has_admin_areas(session=session):
                typer.echo(
                    "warning: the gazetteer is empty and no --areas was given: searches and "
                    "listings by P-code or place name will be refused (422) until one is "
                    f"loaded, e.g. --areas {settings.admin_areas_path}",
                    err=True,
                )
            report = operations.load_directory(
                session=session, organizations=organizations, providers=providers
            )
    except InvalidInputError as error:
        raise _fail(error) from None
    typer.echo(
        f"loaded {report.providers} providers and {report.organizations} organizations "
        f"(directory revision {report.revision})"
    )


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="Where to write the FeatureCollection")],
) -> None:
    """Write the whole directory, confidential locations included, as GeoJSON."""
    settings = Settings()
    engine = engine_for(settings)
    upgrade(settings.migrations_dir, engine)
    with Session(engine) as session:
        collection = operations.export_directory(session=session)
    with path.open("w", encoding="utf-8") as handle:
        json.dump(collection, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    typer.echo(f"exported {len(collection['features'])} providers to {path}")


@app.command()
def pathway(
    pcode: Annotated[str, typer.Argument(help="P-code of the area, e.g. CF7113")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the PDF")],
    lang: Annotated[str, typer.Option(help="Language of the sheet: fr or en")] = "fr",
) -> None:
    """Print the referral pathway of an area as a PDF, from the directory as it stands."""
    if lang not in LANGUAGES:
        raise _fail(InvalidInputError(f"--lang must be one of {', '.join(LANGUAGES)}"))
    settings = Settings()
    engine = engine_for(settings)
    upgrade(settings.migrations_dir, engine)
    snapshots = DirectorySnapshots(
        engine,
        localities=read_localities(settings.localities_path),
        max_distance_km=settings.ranking.max_distance_km,
    )
    try:
        sheet = pathway_sheet(
            index=snapshots.refresh(),
            pcode=pcode,
            lang=lang,
            now=datetime.now(UTC),
            weights=settings.ranking,
        )
    except NotFoundError as error:
        typer.echo(f"error: {error.detail}", err=True)
        raise typer.Exit(code=2) from None
    output.write_bytes(render_pdf(sheet))
    typer.echo(f"wrote the {lang} referral pathway of {sheet.pcode} to {output}")


def _session() -> Session:
    settings = Settings()
    # Keys work only on the database the server reads: say which one this is.
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    typer.echo(f"database: {shown}", err=True)
    engine = engine_for(settings)
    upgrade(settings.migrations_dir, engine)
    return Session(engine)


@keys_app.command("create")
def keys_create(
    org: Annotated[str, typer.Option(help="The organization the key acts for")],
    role: Annotated[Role, typer.Option(help="partner: its own entries; admin: everything")] = (
        Role.PARTNER
    ),
) -> None:
    """Make a key and print it once: only its digest is kept."""
    key = new_key()
    with _session() as session:
        if not repository.organization_exists(session=session, organization_id=org):
            typer.echo(f"error: no organization {org!r}", err=True)
            raise typer.Exit(code=2)
        repository.add_key(
            session=session,
            key_id=key.key_id,
            organization_id=org,
            role=role.value,
            secret_hash=digest(key.text),
        )
        session.commit()
    typer.echo(key.text)
    typer.echo(
        f"key id {key.key_id} ({role.value} of {org}); store it now, it is not shown again",
        err=True,
    )


@keys_app.command("list")
def keys_list() -> None:
    """List keys: id, organization, role, created, last used, revoked (never the secret)."""
    with _session() as session:
        for key in repository.list_keys(session=session):
            used = key.last_used_at.isoformat() if key.last_used_at else "never"
            revoked = f" revoked {key.revoked_at.isoformat()}" if key.revoked_at else ""
            typer.echo(
                f"{key.key_id}  {key.organization_id}  {key.role}  "
                f"created {key.created_at.isoformat()}  used {used}{revoked}"
            )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id shown by keys list")],
) -> None:
    """Revoke a key at once."""
    with _session() as session:
        if not repository.revoke_key(session=session, key_id=key_id):
            typer.echo(f"error: no live key {key_id!r}", err=True)
            raise typer.Exit(code=2)
        session.commit()
    typer.echo(f"revoked {key_id}")


def main() -> None:
    """Entry point of the console script."""
    try:
        app()
    except SQLAlchemyError as error:
        # A traceback would print the driver's message, which may quote a refused row.
        typer.echo(f"error: {domain_error(error).detail}", err=True)
        raise SystemExit(1) from None
