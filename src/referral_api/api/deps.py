"""Request dependencies: settings, database sessions and the caller's identity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from referral_api.db.snapshot import DirectorySnapshots
from referral_api.domain.access import ANONYMOUS, Viewer
from referral_api.domain.errors import DirectoryUnavailableError
from referral_api.domain.ranking import RankingWeights
from referral_api.settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """A session for one request; operations commit inside, so nothing is done after yield."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        except OperationalError as error:
            raise DirectoryUnavailableError("The directory database cannot be reached") from error


def get_snapshots(request: Request) -> DirectorySnapshots:
    """The app's directory snapshots."""
    snapshots: DirectorySnapshots = request.app.state.snapshots
    return snapshots


def get_weights(settings: Annotated[Settings, Depends(get_settings)]) -> RankingWeights:
    """The deployment's ranking weights."""
    return settings.ranking


def get_viewer() -> Viewer:
    """The caller; anonymous until partner keys exist."""
    return ANONYMOUS


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
SnapshotsDep = Annotated[DirectorySnapshots, Depends(get_snapshots)]
WeightsDep = Annotated[RankingWeights, Depends(get_weights)]
