"""Who is calling: API keys in `Authorization: Bearer …`, and a brake on failing with them."""

from __future__ import annotations

import logging
import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from referral_api.api.clients import client_of
from referral_api.api.runtime import runtime_of
from referral_api.db import repository
from referral_api.domain.access import ANONYMOUS, Viewer
from referral_api.domain.brake import FailureBrake
from referral_api.domain.clock import utc_now
from referral_api.domain.errors import AuthenticationError, RateLimitedError
from referral_api.domain.keys import Role, key_id_of, matches

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PartnerKey",
    description="An API key from `referral-api keys create`: `Authorization: Bearer rk_…`. "
    "Reads work without one; writes need one.",
)

KEY_TOUCH_INTERVAL_SECONDS = 60.0
# How long a key verified against the database vouches for itself while the database is
# away: search answers from the snapshot then, and a partner's key must still be its key.
# A revocation reaches every worker as soon as the database is back.
KEY_VOUCH_SECONDS = 600.0
KEYS_REMEMBERED = 10_000
# A key's last use is bookkeeping: a caller must not wait seconds for it behind a bulk load.
KEY_TOUCH_WAIT_MS = 100
logger = logging.getLogger("referral_api.auth")


class RecentKeys:
    """Keys this worker verified against the database lately, by key id: each with the
    digest it matched and who it stands for."""

    def __init__(self) -> None:
        self._verified: dict[str, tuple[str, Viewer, float]] = {}

    def remember(self, secret_hash: str, viewer: Viewer, now: float) -> None:
        """Record a key just verified against the database."""
        assert viewer.key_id is not None
        if len(self._verified) >= KEYS_REMEMBERED:  # only valid keys get here: few
            self._verified.clear()
        self._verified[viewer.key_id] = (secret_hash, viewer, now)

    def vouch(self, key: str, key_id: str, now: float) -> Viewer | None:
        """Who `key` stands for, if it was verified within KEY_VOUCH_SECONDS."""
        found = self._verified.get(key_id)
        if found is None or now - found[2] > KEY_VOUCH_SECONDS or not matches(key, found[0]):
            return None
        return found[1]


def _authenticate(engine: Engine, recent: RecentKeys, key: str) -> Viewer:
    key_id = key_id_of(key)
    if key_id is None:
        raise AuthenticationError("The API key is malformed")
    try:
        with Session(engine) as session:
            stored = repository.find_key(session=session, key_id=key_id)
    except (OperationalError, InterfaceError):
        vouched = recent.vouch(key, key_id, time.monotonic())
        if vouched is None:
            raise
        logger.warning("the database is unreachable: a key verified lately stands for itself")
        return vouched
    if stored is None or stored.revoked_at is not None or not matches(key, stored.secret_hash):
        raise AuthenticationError("The API key is unknown or revoked")
    viewer = Viewer(
        organization_id=stored.organization_id,
        is_admin=stored.role == Role.ADMIN.value,
        key_id=key_id,
    )
    recent.remember(stored.secret_hash, viewer, time.monotonic())
    last = stored.last_used_at
    if last is None or (utc_now() - last).total_seconds() > KEY_TOUCH_INTERVAL_SECONDS:
        with Session(engine) as session:
            _record_use(session, key_id)
    return viewer


def _record_use(session: Session, key_id: str) -> None:
    try:
        repository.touch_key(session=session, key_id=key_id, wait_ms=KEY_TOUCH_WAIT_MS)
        session.commit()
    except (OperationalError, InterfaceError) as error:
        # A locked or lost database must not cost a valid key its answer. The error's text
        # holds the statement's parameters: only its kind is logged.
        logger.warning("the last use of a key was not recorded: %s", type(error.orig).__name__)


async def get_viewer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Viewer:
    """The caller: anonymous without a key; a partner or an admin with a valid one.

    A valid key is always accepted: the brake only turns the 401 of a client that failed
    too often into a 429. It cannot keep such a client from learning that a guess was
    right, and need not: keys hold 256 random bits. It tells a misconfigured system or a
    guesser to back off, in the one answer that changes nothing for valid keys.
    """
    if credentials is None:
        return ANONYMOUS
    runtime = runtime_of(request.app)
    try:
        return await run_in_threadpool(
            _authenticate,
            runtime.engine,
            runtime.recent_keys,
            credentials.credentials,
        )
    except AuthenticationError:
        brake: FailureBrake = runtime.auth_brake
        client = client_of(
            request.client.host if request.client else None,
            request.headers.getlist("x-forwarded-for"),
            runtime.settings.trusted_proxies,
        )
        retry_after = brake.failed(client, time.monotonic())
        if retry_after is None:
            raise
        raise RateLimitedError(
            "Too many failed authentications from this client", retry_after
        ) from None


ViewerDep = Annotated[Viewer, Depends(get_viewer)]
