"""Request dependencies: settings, database sessions and the caller's identity.

Dependencies that only read app state are coroutines: FastAPI runs plain functions in a
worker thread, and a thread hop per dependency costs more than the work itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from referral_api.api.auth import ViewerDep, bearer, get_viewer
from referral_api.api.problems import BODY_PROBLEMS, KEY_PROBLEMS
from referral_api.api.runtime import runtime_of
from referral_api.api.search_answer import RenderedParts
from referral_api.db.snapshot import DirectorySnapshots
from referral_api.domain.access import Viewer
from referral_api.domain.ranking import RankingWeights
from referral_api.editing import Actor


async def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = runtime_of(request.app).engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """A session for one request; operations commit inside, so nothing is done after yield.

    Database failures go on to the problem handlers, which translate them (db.errors).
    """
    with Session(engine, expire_on_commit=False) as session:
        yield session


@dataclass(frozen=True, slots=True)
class SearchEngine:
    """What a search needs from the app: the snapshots, the weights, the response parts."""

    snapshots: DirectorySnapshots
    weights: RankingWeights
    rendered_parts: RenderedParts


@dataclass(frozen=True, slots=True)
class SearchCaller:
    """The app's search engine and who is asking, resolved together for a search."""

    engine: SearchEngine
    viewer: Viewer


async def search_caller(request: Request) -> SearchCaller:
    """The app's search engine and who is asking, read from the request itself.

    Search is the hot path, and FastAPI resolves each declared dependency or header in
    about 20 µs, some 4 % of a search. So the search endpoints call this instead of
    declaring the key, and declare it for the docs with `SEARCH_OPENAPI`; the key goes
    through the same `bearer` scheme and `get_viewer` as everywhere else.
    """
    engine: SearchEngine = runtime_of(request.app).search_engine
    return SearchCaller(engine, await get_viewer(request, await bearer(request)))


# What `search_caller` reads, as the docs page shows it: the optional partner key (it
# reveals confidential locations to whoever may see them; a key that fails is answered 401,
# or 429 once braked). `Accept-Language` is told of in the `lang` field rather than as a
# header of its own: a box at the top of the form drew a caseworker's eye before the body.
SEARCH_OPENAPI: dict[str, Any] = {
    "security": [{}, {bearer.scheme_name: []}],
    "responses": {**KEY_PROBLEMS, **BODY_PROBLEMS},
}


async def get_snapshots(request: Request) -> DirectorySnapshots:
    """The app's directory snapshots, which a write refreshes once it has committed."""
    snapshots: DirectorySnapshots = runtime_of(request.app).snapshots
    return snapshots


EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
SnapshotsDep = Annotated[DirectorySnapshots, Depends(get_snapshots)]


async def get_actor(request: Request, viewer: ViewerDep) -> Actor:
    """Who writes, with the request id AccessLogMiddleware settled on (and answers with)."""
    return Actor(viewer, request.state.request_id)


ActorDep = Annotated[Actor, Depends(get_actor)]
