"""Change events: one accepted write, as storage keeps it and the feed shows it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One accepted write."""

    sequence: int
    at: datetime
    action: str
    provider_id: uuid.UUID
    organization_id: str
    actor_key_id: str | None
    actor_organization_id: str | None
    request_id: str | None
    revision: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    # Set on a caller's view of the event when what changed is hidden from that caller.
    changes_withheld: bool = False
