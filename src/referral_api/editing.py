"""Use cases of partners keeping their entries current: each checks the right, commits once."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy.orm import Session

from referral_api.db import repository
from referral_api.documents import ProviderDocument
from referral_api.domain.access import Viewer
from referral_api.domain.changes import ChangeEvent
from referral_api.domain.clock import utc_now
from referral_api.domain.errors import (
    AuthenticationError,
    ConflictError,
    FieldProblem,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    PreconditionFailedError,
)
from referral_api.domain.model import Provider, Visibility
from referral_api.domain.projection import withheld
from referral_api.domain.validation import ensure_valid
from referral_api.interop.geojson import validation_problems

IDEMPOTENCY_TTL = timedelta(hours=24)
# The caller's condition on the entry as stored (If-Match): raises unless it holds. It is
# checked once the caller is known to be allowed the change, and before the body is judged
# (RFC 9110, section 13.2.1).
Precondition = Callable[[Provider], None]
_VERIFIED = "set by the server: POST /v1/providers/{id}/verify marks the entry verified now"
_STORED = "set by the server on every write"
# What only the service states about an entry: a write body that sends one is refused.
SERVER_OWNED = {
    "last_verified_at": _VERIFIED,
    "last_verified_by": _VERIFIED,
    "verification": _VERIFIED,
    "revision": _STORED,
    "created_at": _STORED,
    "updated_at": _STORED,
}


class Searchable(Protocol):
    """What search answers from: brought up to date once a write is committed."""

    def refresh(self) -> object:
        """Take in the latest writes."""


def _commit(session: Session, search: Searchable) -> None:
    session.commit()
    # The writer's own instance searches the new entry at once; others within a second.
    search.refresh()


@dataclass(frozen=True, slots=True)
class Actor:
    """Who writes, and the request that carries it (for the audit trail)."""

    viewer: Viewer
    request_id: str


def _require_key(actor: Actor) -> None:
    if actor.viewer.is_anonymous:
        raise AuthenticationError("Send a partner API key: Authorization: Bearer <key>")


def _refuse_server_owned(sent: Collection[str]) -> None:
    problems = [
        FieldProblem(("body", name), why) for name, why in SERVER_OWNED.items() if name in sent
    ]
    if problems:
        names = ", ".join(str(problem.location[1]) for problem in problems)
        raise InvalidInputError(f"Only the server sets {names}", problems)


def _keep_organization(current: Provider, document: ProviderDocument) -> None:
    # Handing an entry over would hand its history and its confidential location with it.
    if document.organization_id != current.organization_id:
        raise InvalidInputError(
            "An entry stays with the organization it was created for",
            (
                FieldProblem(
                    ("body", "organization_id"),
                    f"is {current.organization_id!r}; it cannot change",
                ),
            ),
        )


def _require_right(actor: Actor, organization_id: str) -> None:
    if not actor.viewer.may_change(organization_id):
        raise ForbiddenError(
            "This entry belongs to another organization: only its own partners and admins "
            "may change it"
        )


def _document(provider: Provider) -> dict[str, Any]:
    return ProviderDocument.of_provider(provider).model_dump(mode="json")


def _valid(document: ProviderDocument, provider_id: uuid.UUID, session: Session) -> Provider:
    if not repository.organization_exists(
        session=session, organization_id=document.organization_id
    ):
        raise InvalidInputError(
            f"Unknown organization {document.organization_id!r}",
            (FieldProblem(("body", "organization_id"), "no such organization"),),
        )
    provider = document.to_provider(provider_id)
    problems = [
        FieldProblem(("body", *problem.location), problem.message)
        for problem in _problems(provider)
    ]
    if problems:
        first = problems[0]
        where = "/".join(str(part) for part in first.location[1:])
        raise InvalidInputError(
            f"The entry is not valid ({len(problems)} problem(s)); {where}: {first.message}",
            problems,
        )
    return provider


def _problems(provider: Provider) -> tuple[FieldProblem, ...]:
    try:
        ensure_valid(provider)
    except InvalidInputError as error:
        # The write body names the location `location`, the GeoJSON file `geometry`.
        return tuple(
            FieldProblem(
                ("location", *p.location[2:]) if p.location[:1] == ("geometry",) else p.location,
                p.message,
            )
            for p in error.problems
        )
    return ()


def _record(
    session: Session,
    actor: Actor,
    action: str,
    provider_id: uuid.UUID,
    organization_id: str,
    revision: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    repository.append_event(
        session=session,
        action=action,
        provider_id=provider_id,
        organization_id=organization_id,
        revision=revision,
        before=before,
        after=after,
        actor_key_id=actor.viewer.key_id,
        actor_organization_id=actor.viewer.organization_id,
        request_id=actor.request_id,
    )
    repository.bump_revision(session=session)


def _owned(session: Session, provider_id: uuid.UUID, actor: Actor) -> Provider:
    """The live entry, if the caller holds a key that may change it."""
    _require_key(actor)
    current = _stored(session, provider_id)
    _require_right(actor, current.organization_id)
    return current


def _stored(session: Session, provider_id: uuid.UUID) -> Provider:
    provider = repository.get_provider(session=session, provider_id=provider_id)
    if provider is None:
        raise NotFoundError(f"No provider with id {provider_id}")
    return provider


def _insert(session: Session, document: ProviderDocument, actor: Actor) -> Provider:
    _require_right(actor, document.organization_id)
    provider = _valid(document, uuid.uuid4(), session)
    repository.insert_providers(session=session, providers=[provider])
    _record(
        session,
        actor,
        "create",
        provider.id,
        provider.organization_id,
        1,
        None,
        _document(provider),
    )
    session.flush()
    return _stored(session, provider.id)


def _fingerprint(document: ProviderDocument) -> str:
    canonical = json.dumps(document.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def create_provider(
    *,
    session: Session,
    search: Searchable,
    document: ProviderDocument,
    actor: Actor,
    render: Callable[[Provider], dict[str, Any]],
    lease: timedelta,
    idempotency_key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Add a provider; its rendered answer, and whether that answer is a replay.

    With an Idempotency-Key (scoped to the caller's API key, kept for IDEMPOTENCY_TTL), a
    retry gets the first answer; the same key with another body is invalid input, and a
    duplicate sent while the first is running is a conflict. The answer is stored in the
    transaction that creates the provider: both happen, or neither. A claim left without
    an answer (its process died) lapses after `lease`; a retry then runs afresh, and the
    first request, should it still be running, can no longer answer and writes nothing.
    """
    _require_key(actor)
    _refuse_server_owned(document.model_fields_set)
    key_id = actor.viewer.key_id
    assert key_id is not None
    if idempotency_key is None:
        answer = render(_insert(session, document, actor))
        _commit(session, search)
        return answer, False
    fingerprint = _fingerprint(document)
    claim = uuid.uuid4().hex
    seen = repository.claim_idempotency_key(
        session=session,
        key_id=key_id,
        idempotency_key=idempotency_key,
        request_hash=fingerprint,
        claim=claim,
        lease=lease,
    )
    if seen is not None:
        if seen.request_hash != fingerprint:
            raise InvalidInputError(
                "This Idempotency-Key was used with another request body",
                (FieldProblem(("header", "idempotency-key"), "reused with a different body"),),
            )
        if seen.response is None:
            raise ConflictError("A request with this Idempotency-Key is still being processed")
        return seen.response, True
    try:
        answer = render(_insert(session, document, actor))
        if not repository.record_idempotent_answer(
            session=session,
            key_id=key_id,
            idempotency_key=idempotency_key,
            claim=claim,
            status_code=201,
            response=answer,
            ttl=IDEMPOTENCY_TTL,
        ):
            raise ConflictError(
                "This request took too long and a retry with its Idempotency-Key took over"
            )
        _commit(session, search)
    except BaseException:
        session.rollback()
        repository.release_idempotency_key(
            session=session, key_id=key_id, idempotency_key=idempotency_key, claim=claim
        )
        raise
    return answer, False


def change_provider(
    *,
    session: Session,
    search: Searchable,
    provider_id: uuid.UUID,
    document: ProviderDocument,
    precondition: Precondition,
    actor: Actor,
) -> Provider:
    """Replace an entry, if it is still the one the caller read."""
    current = _owned(session, provider_id, actor)
    precondition(current)
    _refuse_server_owned(document.model_fields_set)
    return _replace(session, search, current, document, actor)


def _replace(
    session: Session,
    search: Searchable,
    current: Provider,
    document: ProviderDocument,
    actor: Actor,
) -> Provider:
    provider_id = current.id
    _keep_organization(current, document)
    # A replacement states what the partner states; the verification stays as recorded.
    verified = {
        "last_verified_at": current.last_verified_at,
        "last_verified_by": current.last_verified_by,
        "verification": current.verification,
    }
    provider = _valid(document.model_copy(update=verified), provider_id, session)
    revision = repository.update_provider_if(
        session=session, provider=provider, expected_revision=current.revision
    )
    if revision is None:
        session.rollback()
        raise PreconditionFailedError(
            f"The entry changed since revision {current.revision}: read it again, re-apply "
            "your change and send the new ETag"
        )
    _record(
        session,
        actor,
        "update",
        provider_id,
        provider.organization_id,
        revision,
        _document(current),
        _document(provider),
    )
    _commit(session, search)
    return _stored(session, provider_id)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: objects merge, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def patch_provider(
    *,
    session: Session,
    search: Searchable,
    provider_id: uuid.UUID,
    patch: dict[str, Any],
    precondition: Precondition,
    actor: Actor,
) -> Provider:
    """Change some fields of an entry (JSON Merge Patch), if it is still the one read."""
    current = _owned(session, provider_id, actor)
    precondition(current)
    _refuse_server_owned(patch)
    merged = merge_patch(_document(current), patch)
    try:
        document = ProviderDocument.model_validate(merged)
    except ValidationError as error:
        problems = validation_problems(error, ("body",))
        raise InvalidInputError(
            f"The patched entry is not valid ({len(problems)} problem(s))", problems
        ) from None
    return _replace(session, search, current, document, actor)


def delete_provider(
    *,
    session: Session,
    search: Searchable,
    provider_id: uuid.UUID,
    precondition: Precondition,
    actor: Actor,
) -> None:
    """Take an entry out of the directory (it stays restorable and in the change feed)."""
    current = _owned(session, provider_id, actor)
    precondition(current)
    revision = repository.set_deleted_if(
        session=session, provider_id=provider_id, expected_revision=current.revision, deleted=True
    )
    if revision is None:
        session.rollback()
        raise PreconditionFailedError(f"The entry changed since revision {current.revision}")
    _record(
        session,
        actor,
        "delete",
        provider_id,
        current.organization_id,
        revision,
        _document(current),
        None,
    )
    _commit(session, search)


def restore_provider(
    *, session: Session, search: Searchable, provider_id: uuid.UUID, actor: Actor
) -> Provider:
    """Bring a deleted entry back."""
    _require_key(actor)
    found = repository.get_provider_any(session=session, provider_id=provider_id)
    if found is None:
        raise NotFoundError(f"No provider with id {provider_id}")
    provider, deleted = found
    _require_right(actor, provider.organization_id)
    if not deleted:
        raise ConflictError("The entry is not deleted")
    revision = repository.set_deleted_if(
        session=session, provider_id=provider_id, expected_revision=None, deleted=False
    )
    if revision is None:
        session.rollback()
        raise ConflictError("The entry was restored meanwhile")
    _record(
        session,
        actor,
        "restore",
        provider_id,
        provider.organization_id,
        revision,
        None,
        _document(provider),
    )
    _commit(session, search)
    return _stored(session, provider_id)


def verify_provider(
    *, session: Session, search: Searchable, provider_id: uuid.UUID, actor: Actor
) -> Provider:
    """Confirm that an entry is still right: it is verified now, by the caller's organization."""
    for _attempt in range(3):
        current = _owned(session, provider_id, actor)
        verified = replace(
            current,
            last_verified_at=utc_now(),
            last_verified_by=actor.viewer.organization_id,
            verification="partner",
        )
        revision = repository.update_provider_if(
            session=session, provider=verified, expected_revision=current.revision
        )
        if revision is not None:
            _record(
                session,
                actor,
                "verify",
                provider_id,
                current.organization_id,
                revision,
                _document(current),
                _document(verified),
            )
            _commit(session, search)
            return _stored(session, provider_id)
        session.rollback()
    raise ConflictError("The entry keeps changing; try again")


def provider_history(
    *, session: Session, provider_id: uuid.UUID, viewer: Viewer
) -> list[ChangeEvent]:
    """Every change of an entry, for its own organization and admins."""
    if viewer.is_anonymous:
        raise AuthenticationError("Send an API key to read an entry's history")
    found = repository.get_provider_any(session=session, provider_id=provider_id)
    if found is None:
        raise NotFoundError(f"No provider with id {provider_id}")
    if not viewer.may_change(found[0].organization_id):
        raise ForbiddenError("Only the entry's organization and admins may read its history")
    return repository.events_of(session=session, provider_id=provider_id)


def _withheld_document(document: dict[str, Any] | None) -> dict[str, Any] | None:
    if document is None:
        return None
    provider = ProviderDocument.model_validate(document).to_provider(uuid.UUID(int=0))
    return ProviderDocument.of_provider(withheld(provider)).model_dump(mode="json")


def _is_restricted(document: dict[str, Any] | None) -> bool:
    return document is not None and document.get("visibility") == Visibility.RESTRICTED.value


def event_as_seen_by(viewer: Viewer, event: ChangeEvent, restricted_now: bool) -> ChangeEvent:
    """An event of the change feed as `viewer` may see it.

    The entry's organization and admins see it whole. Others never see who made it (key,
    organization, request: history is the owner's), and for an entry that is confidential
    now, or was in this event, they see both documents withheld to the public projection,
    even a version from before it became confidential: making a mistakenly public safe
    house confidential must hide where it was too. When the withheld documents are the
    same, the event says only that the entry changed.
    """
    if viewer.may_change(event.organization_id):
        return event
    anonymous = replace(event, actor_key_id=None, actor_organization_id=None, request_id=None)
    if not (restricted_now or _is_restricted(event.before) or _is_restricted(event.after)):
        return anonymous
    before, after = _withheld_document(event.before), _withheld_document(event.after)
    if before is not None and before == after:
        return replace(anonymous, before=None, after=None, changes_withheld=True)
    return replace(anonymous, before=before, after=after)


def changes_after(*, session: Session, after: int, limit: int, viewer: Viewer) -> list[ChangeEvent]:
    """The change feed from `after` on, each event as `viewer` may see it."""
    events = repository.events_after(session=session, after=after, limit=limit)
    restricted = repository.restricted_among(
        session=session, provider_ids=(event.provider_id for event in events)
    )
    return [event_as_seen_by(viewer, event, event.provider_id in restricted) for event in events]
