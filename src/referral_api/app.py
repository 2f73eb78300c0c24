"""The application factory: `create_app(settings)` builds everything; nothing at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette_compress import CompressMiddleware

from referral_api import __version__, operations
from referral_api.api.auth import RecentKeys
from referral_api.api.deps import SearchEngine
from referral_api.api.limits import BodySizeLimitMiddleware
from referral_api.api.methods import HeadAsGetMiddleware
from referral_api.api.openapi import install_openapi
from referral_api.api.problems import install_problem_handlers
from referral_api.api.routes import (
    editing,
    exports,
    health,
    hsds,
    metrics,
    ogc,
    organizations,
    pathways,
    providers,
    reference,
    referrals,
)
from referral_api.api.routes.docs import install_docs
from referral_api.api.runtime import Runtime, runtime_of
from referral_api.api.search_answer import RenderedParts
from referral_api.catalogues import HsdsCatalogues
from referral_api.db.engine import engine_for
from referral_api.db.migrate import upgrade
from referral_api.db.snapshot import DirectorySnapshots
from referral_api.db.snapshot_files import SnapshotFiles
from referral_api.domain.brake import FailureBrake
from referral_api.domain.errors import DirectoryUnavailableError
from referral_api.interop.localities import read_localities
from referral_api.logs import AccessLogMiddleware
from referral_api.metrics import Metrics
from referral_api.settings import Settings

DESCRIPTION = """
This page finds, in seconds, where to refer a survivor of gender-based violence: **medical**
care, **psychosocial** support, **legal** aid and **safety**, open, accepting referrals,
suited to the survivor, and in time.

**To search:** open *Find where to refer a survivor* below, press **Try it out**, pick an
example and change it (the place, the needs, what you know of the survivor, how long ago it
happened), then press **Execute**. To read the answer as a numbered list, choose
`text/plain` in the answer's *Media type* list first.

The service never asks for a name, keeps no location you send, and never shows where a safe
house is. The directory shipped with it is an **illustrative sample**: replace it with your
verified local referral pathway before real use.

For systems that connect to the service: see the [technical reference](/redoc).
"""

TAGS = [
    {"name": "Referrals", "description": "Ranked, explained referral options."},
    {"name": "Providers", "description": "The directory of service providers."},
    {
        "name": "Partners",
        "description": "Partner organisations keep their own entries current (API key needed).",
    },
    {
        "name": "Organizations",
        "description": "Partner organizations; admins manage them and their keys.",
    },
    {"name": "Sync", "description": "The change feed, for systems that keep a copy."},
    {"name": "Reference", "description": "Needs taxonomy and administrative areas (P-codes)."},
    {
        "name": "HSDS",
        "description": "The directory as Open Referral HSDS 3.0 (read-only, public; "
        "confidential locations withheld).",
    },
    {"name": "Health", "description": "Probes for operators."},
]


def prepare_database(settings: Settings, engine: Engine) -> None:
    """Migrate, then load the shipped sample into an empty database, as settings ask."""
    if settings.migrate_on_start:
        upgrade(settings.migrations_dir, engine)
    if settings.load_sample_when_empty:
        with Session(engine) as session:
            operations.load_sample_when_empty(
                session=session,
                services_path=settings.services_path,
                admin_areas_path=settings.admin_areas_path,
            )


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the API for `settings` (read from the environment when not given)."""
    settings = settings or Settings()
    engine = engine or engine_for(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Off the event loop: at a large directory the build takes seconds.
        await run_in_threadpool(prepare_database, settings, engine)
        try:
            await run_in_threadpool(runtime_of(app).snapshots.refresh)
        except DirectoryUnavailableError:
            logging.getLogger("referral_api").warning("started without a directory snapshot")
        yield
        engine.dispose()
        runtime_of(app).metrics.stopped()

    app = FastAPI(
        title="referral-api",
        version=__version__,
        summary="GBV referral pathway directory and routing API",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
        # Served by `install_openapi`, in the caller's language.
        openapi_url=None,
        lifespan=lifespan,
        license_info={"name": "MIT", "identifier": "MIT"},
    )
    metrics_ = Metrics()
    snapshots = DirectorySnapshots(
        engine,
        localities=read_localities(settings.localities_path),
        max_distance_km=settings.ranking.max_distance_km,
        files=SnapshotFiles.at(settings.snapshot_dir),
        check_interval=settings.snapshot_check_seconds,
        observer=metrics_,
    )
    app.state.runtime = Runtime(
        settings=settings,
        engine=engine,
        snapshots=snapshots,
        search_engine=SearchEngine(
            snapshots=snapshots, weights=settings.ranking, rendered_parts=RenderedParts()
        ),
        auth_brake=FailureBrake(),
        recent_keys=RecentKeys(),
        metrics=metrics_,
        hsds_catalogues=HsdsCatalogues(),
    )
    install_problem_handlers(app)
    # Caseworkers search on 2G and 3G: a search answer shrinks five times or more compressed.
    app.add_middleware(CompressMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(AccessLogMiddleware, observe=metrics_.observe_request)
    app.include_router(referrals.router)
    app.include_router(providers.router)
    app.include_router(editing.router)
    app.include_router(exports.router)
    app.include_router(organizations.router)
    app.include_router(reference.router)
    app.include_router(pathways.router)
    app.include_router(hsds.router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(ogc.router)
    install_docs(app, settings.docs_lang)
    install_openapi(app, settings.docs_lang)
    return app
