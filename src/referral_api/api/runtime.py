"""What the app holds for its requests, in one typed object rather than loose attributes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.applications import Starlette

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from referral_api.api.auth import RecentKeys
    from referral_api.api.deps import SearchEngine
    from referral_api.catalogues import HsdsCatalogues
    from referral_api.db.snapshot import DirectorySnapshots
    from referral_api.domain.brake import FailureBrake
    from referral_api.metrics import Metrics
    from referral_api.settings import Settings


@dataclass(slots=True)
class Runtime:
    """The parts `create_app` builds once and every request shares."""

    settings: Settings
    engine: Engine
    snapshots: DirectorySnapshots
    search_engine: SearchEngine
    auth_brake: FailureBrake
    recent_keys: RecentKeys
    metrics: Metrics
    hsds_catalogues: HsdsCatalogues


def runtime_of(app: Starlette) -> Runtime:
    """The runtime `create_app` gave `app`."""
    runtime: Runtime = app.state.runtime
    return runtime
