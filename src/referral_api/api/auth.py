"""Who is calling: API keys in `Authorization: Bearer …`, and a brake on guessing them."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from referral_api.db import repository
from referral_api.domain.access import ANONYMOUS, Viewer
from referral_api.domain.errors import AuthenticationError, RateLimitedError
from referral_api.domain.keys import Role, key_id_of, matches

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PartnerKey",
    description="An API key from `referral-api keys create`: `Authorization: Bearer rk_…`. "
    "Reads work without one; writes need one.",
)

KEY_TOUCH_INTERVAL_SECONDS = 60.0


class FailedAuthLimiter:
    """At most `limit` failed authentications per client in `window` seconds, then 429."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def check(self, client: str) -> None:
        """Refuse a client that failed too often lately."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(client, now)
            if len(failures) >= self.limit:
                retry_after = max(1, int(self.window - (now - failures[0])) + 1)
                raise RateLimitedError(
                    "Too many failed authentications from this client", retry_after
                )

    def failed(self, client: str) -> None:
        """Count one failed authentication."""
        now = time.monotonic()
        with self._lock:
            self._recent(client, now).append(now)
            if len(self._failures) > 100_000:  # bound memory under a spray of addresses
                self._failures = {c: f for c, f in self._failures.items() if f}


def _authenticate(engine: Engine, key: str) -> Viewer:
    key_id = key_id_of(key)
    if key_id is None:
        raise AuthenticationError("The API key is malformed")
    with Session(engine) as session:
        stored = repository.find_key(session=session, key_id=key_id)
        if stored is None or stored.revoked_at is not None or not matches(key, stored.secret_hash):
            raise AuthenticationError("The API key is unknown or revoked")
        last = stored.last_used_at
        if (
            last is None
            or (repository.utc_now() - last).total_seconds() > KEY_TOUCH_INTERVAL_SECONDS
        ):
            repository.touch_key(session=session, key_id=key_id)
            session.commit()
    return Viewer(
        organization_id=stored.organization_id,
        is_admin=stored.role == Role.ADMIN.value,
        key_id=key_id,
    )


async def get_viewer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Viewer:
    """The caller: anonymous without a key; a partner or an admin with a valid one."""
    if credentials is None:
        return ANONYMOUS
    limiter: FailedAuthLimiter = request.app.state.auth_limiter
    client = request.client.host if request.client else "unknown"
    limiter.check(client)
    try:
        return await run_in_threadpool(
            _authenticate, request.app.state.engine, credentials.credentials
        )
    except AuthenticationError:
        limiter.failed(client)
        raise


ViewerDep = Annotated[Viewer, Depends(get_viewer)]
