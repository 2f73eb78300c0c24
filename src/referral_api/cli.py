"""The `referral-api` command: serve, migrate, load, export, print pathways, manage keys."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from referral_api import administration
from referral_api.administration import COMMAND_LINE
from referral_api.db import repository
from referral_api.db.engine import engine_for
from referral_api.db.errors import domain_error
from referral_api.db.migrate import upgrade
from referral_api.documents import OrganizationDocument
from referral_api.domain.clock import utc_now
from referral_api.domain.errors import (
    DirectoryUnavailableError,
    InvalidInputError,
    NotFoundError,
    ReferralError,
)
from referral_api.domain.keys import Role
from referral_api.domain.languages import LANGUAGES
from referral_api.interop.geojson import validation_problems
from referral_api.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from referral_api.db.snapshot import DirectorySnapshots, LoadedSnapshot

# A command imports what it alone needs (the web server, the PDF renderer, the exchange
# formats) in its body: every run of a quick one such as `keys list` would pay for them all.
app = typer.Typer(help="GBV referral pathway directory and routing API.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
keys_app = typer.Typer(help="API keys of partners and admins.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
organizations_app = typer.Typer(help="Partner organizations.", no_args_is_help=True)
app.add_typer(organizations_app, name="organizations")


def _refuse(error: ReferralError) -> typer.Exit:
    if isinstance(error, InvalidInputError):
        return _fail(error)
    typer.echo(f"error: {error.detail}", err=True)
    return typer.Exit(code=2)


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
    from referral_api.metrics import shared_metrics

    settings = Settings()
    with shared_metrics(workers):
        _run(settings, host, port, workers)


def _run(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    from referral_api.logs import logging_config

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


class Format(StrEnum):
    """Exchange formats of load and export."""

    GEOJSON = "geojson"
    HSDS = "hsds"
    HXL = "hxl"


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format", help="geojson (a file), hsds (a folder: CSV files and datapackage.json), hxl"
    ),
]


@app.command()
def load(
    path: Annotated[
        Path, typer.Argument(help="A directory FeatureCollection, or an HSDS data package folder")
    ],
    areas: Annotated[
        Path | None, typer.Option(help="Also load an admin-area FeatureCollection")
    ] = None,
    format: FormatOption = Format.GEOJSON,
) -> None:
    """Load providers (and organizations), all in one transaction."""
    from referral_api import exchange, loading, operations
    from referral_api.interop.geojson import parse_admin_areas, read_json

    settings = Settings()
    engine = engine_for(settings, batch=True)
    # What is imported lives as long as the load: out of the cyclic collector's full passes,
    # which otherwise go over it again for every few chunks written (2.6 of 33 s at 100k).
    gc.freeze()
    dropped: list[str] = []
    try:
        parts: Iterable[loading.LoadPart] = ()
        if format is Format.HSDS:
            package = exchange.read_hsds_folder(path)
            parts = operations.directory_parts(package.organizations, package.providers)
            dropped = package.dropped
        elif format is not Format.GEOJSON:
            raise InvalidInputError("HXL is an export format only")
        admin_areas = parse_admin_areas(read_json(areas)) if areas else []
        upgrade(settings.migrations_dir, engine)
        snapshot = _loaded_snapshot(settings, engine)
        if format is Format.GEOJSON:
            # Read as it is written, by a worker per core: a file of a million providers is
            # never held whole, and reading it is what takes time.
            parts = loading.read_directory_file(
                path,
                url=settings.database_url,
                now=utc_now(),
                workers=loading.reading_processes(),
                pieces=snapshot is not None,
            )
        with Session(engine) as session:
            if not admin_areas and not repository.has_admin_areas(session=session):
                typer.echo(
                    "warning: the gazetteer is empty and no --areas was given: searches and "
                    "listings by P-code or place name will be refused (422) until one is "
                    f"loaded, e.g. --areas {settings.admin_areas_path}",
                    err=True,
                )
            report = operations.load_directory_parts(
                session=session, parts=parts, areas=admin_areas, snapshot=snapshot
            )
        if settings.snapshot_dir is not None:
            # A server then starts by mapping the snapshot of this revision, in seconds,
            # where a million providers take a minute to read and place.
            try:
                if snapshot is None or not snapshot.write():
                    _snapshots(settings, engine).refresh()
            except (DirectoryUnavailableError, OSError):
                typer.echo(
                    "warning: the directory is loaded, but its snapshot file was not "
                    "written: the server will read the directory when it starts",
                    err=True,
                )
    except InvalidInputError as error:
        raise _fail(error) from None
    finally:
        engine.dispose()
    for line in dropped:
        typer.echo(f"not kept: {line}", err=True)
    typer.echo(
        f"loaded {report.providers} providers and {report.organizations} organizations "
        f"(directory revision {report.revision})"
    )


def _loaded_snapshot(settings: Settings, engine: Engine) -> LoadedSnapshot | None:
    """The snapshot file a load makes of what it writes, if it fills an empty directory
    (then workers make the pieces of it as they read)."""
    from referral_api.db.snapshot import LoadedSnapshot
    from referral_api.db.snapshot_files import SnapshotFiles
    from referral_api.interop.localities import read_localities

    files = SnapshotFiles.at(settings.snapshot_dir)
    if files is None:
        return None
    with Session(engine) as session:
        if repository.has_providers(session=session):
            return None
    return LoadedSnapshot(
        files, read_localities(settings.localities_path), settings.ranking.max_distance_km
    )


def _snapshots(settings: Settings, engine: Engine) -> DirectorySnapshots:
    from referral_api.db.snapshot import DirectorySnapshots
    from referral_api.db.snapshot_files import SnapshotFiles
    from referral_api.interop.localities import read_localities

    return DirectorySnapshots(
        engine,
        localities=read_localities(settings.localities_path),
        max_distance_km=settings.ranking.max_distance_km,
        files=SnapshotFiles.at(settings.snapshot_dir),
    )


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="The file (geojson, hxl) or folder (hsds)")],
    format: FormatOption = Format.GEOJSON,
    public: Annotated[
        bool, typer.Option(help="hsds: write the public view (as /hsds shows it)")
    ] = False,
) -> None:
    """Write the directory: geojson and hsds whole, confidential locations included (keep
    them as safe as the database); hxl as GET /v1/exports/providers.hxl.csv, public."""
    from referral_api import exchange, operations

    with _session() as session:
        if format is Format.HSDS:
            written = exchange.hsds_export(session=session, folder=path, public=public)
            typer.echo(
                f"exported {written.services} HSDS services in {len(written.files)} files "
                f"and datapackage.json to {path}"
            )
            return
        if format is Format.HXL:
            path.write_text(exchange.hxl_export(session=session), encoding="utf-8", newline="")
            typer.echo(f"exported the public directory as HXL to {path}")
            return
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
    from referral_api.interop.pathway_pdf import render_pdf
    from referral_api.pathways import pathway_sheet

    if lang not in LANGUAGES:
        raise _fail(InvalidInputError(f"--lang must be one of {', '.join(LANGUAGES)}"))
    settings = Settings()
    engine = engine_for(settings)
    upgrade(settings.migrations_dir, engine)
    snapshots = _snapshots(settings, engine)
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


@contextmanager
def _session() -> Iterator[Session]:
    # The engine goes with the session: a command run in-process (tests) leaves no
    # connection open behind it.
    settings = Settings()
    # Keys work only on the database the server reads: say which one this is.
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    typer.echo(f"database: {shown}", err=True)
    engine = engine_for(settings)
    try:
        upgrade(settings.migrations_dir, engine)
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


@keys_app.command("create")
def keys_create(
    org: Annotated[str, typer.Option(help="The organization the key acts for")],
    role: Annotated[Role, typer.Option(help="partner: its own entries; admin: everything")] = (
        Role.PARTNER
    ),
) -> None:
    """Make a key and print it once: only its digest is kept."""
    with _session() as session:
        try:
            key, _ = administration.issue_key(
                session=session, organization_id=org, role=role, actor=COMMAND_LINE
            )
        except NotFoundError:
            typer.echo(f"error: no organization {org!r}", err=True)
            raise typer.Exit(code=2) from None
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
        try:
            administration.revoke_key(session=session, key_id=key_id, actor=COMMAND_LINE)
        except NotFoundError:
            typer.echo(f"error: no live key {key_id!r}", err=True)
            raise typer.Exit(code=2) from None
    typer.echo(f"revoked {key_id}")


def _organization_fields(**given: str | None) -> dict[str, str]:
    return {name: value for name, value in given.items() if value is not None}


NameOption = Annotated[str | None, typer.Option(help="Its name")]
KindOption = Annotated[str | None, typer.Option(help="ngo, un, government or community")]
AcronymOption = Annotated[str | None, typer.Option(help="Its acronym")]
EmailOption = Annotated[str | None, typer.Option(help="A role address, not a person's")]
PhoneOption = Annotated[str | None, typer.Option(help="International number")]
WebsiteOption = Annotated[str | None, typer.Option(help="Its website")]


@organizations_app.command("create")
def organizations_create(
    organization_id: Annotated[str, typer.Argument(help="Its id, e.g. femmes-debout")],
    name: NameOption = None,
    kind: KindOption = None,
    acronym: AcronymOption = None,
    email: EmailOption = None,
    phone: PhoneOption = None,
    website: WebsiteOption = None,
) -> None:
    """Add an organization (recorded in the admin audit trail)."""
    fields = _organization_fields(
        id=organization_id,
        name=name,
        kind=kind,
        acronym=acronym,
        email=email,
        phone=phone,
        website=website,
    )
    with _session() as session:
        try:
            document = OrganizationDocument.model_validate(fields)
            administration.create_organization(
                session=session, organization=document.to_domain(), actor=COMMAND_LINE
            )
        except ValidationError as error:
            problems = validation_problems(error)
            raise _fail(InvalidInputError("Not a valid organization", problems)) from None
        except ReferralError as error:
            raise _refuse(error) from None
    typer.echo(f"created organization {organization_id}")


@organizations_app.command("update")
def organizations_update(
    organization_id: Annotated[str, typer.Argument(help="Its id")],
    name: NameOption = None,
    kind: KindOption = None,
    acronym: AcronymOption = None,
    email: EmailOption = None,
    phone: PhoneOption = None,
    website: WebsiteOption = None,
) -> None:
    """Change the fields given of an organization (recorded in the admin audit trail)."""
    changes = _organization_fields(
        name=name, kind=kind, acronym=acronym, email=email, phone=phone, website=website
    )
    with _session() as session:
        try:
            administration.update_organization(
                session=session,
                organization_id=organization_id,
                changes=changes,
                actor=COMMAND_LINE,
            )
        except ReferralError as error:
            raise _refuse(error) from None
    typer.echo(f"updated organization {organization_id}")


def main() -> None:
    """Entry point of the console script."""
    try:
        app()
    except SQLAlchemyError as error:
        # A traceback would print the driver's message, which may quote a refused row.
        typer.echo(f"error: {domain_error(error).detail}", err=True)
        raise SystemExit(1) from None
