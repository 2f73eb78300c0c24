"""Partners keep their entries current: create, change, delete, restore, verify; history."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse

from referral_api import editing
from referral_api.api.auth import ViewerDep
from referral_api.api.deps import ActorDep, SessionDep, SnapshotsDep
from referral_api.api.etags import etag_of
from referral_api.api.openapi import OPTIONAL_KEY
from referral_api.api.preconditions import IF_MATCH_OPENAPI, ExpectedRevision, ExpectedRevisionDep
from referral_api.api.problems import KEY_PROBLEMS, problem_responses
from referral_api.api.runtime import runtime_of
from referral_api.api.schemas import ChangeList, ChangeOut, ProviderOut
from referral_api.documents import ProviderDocument
from referral_api.domain.access import Viewer
from referral_api.domain.changes import ChangeEvent
from referral_api.domain.model import Provider

router = APIRouter(prefix="/v1", tags=["Partners"])

ProviderId = Annotated[
    uuid.UUID, Path(description="The provider's id, as listed by GET /v1/providers")
]
# The largest change sequence: `change_event.sequence` is a 32-bit INTEGER on PostgreSQL,
# which refuses to compare it with anything larger.
MAX_SEQUENCE = 2**31 - 1
CHANGE_PROBLEMS = problem_responses(400, 401, 403, 404, 409, 412, 413, 422, 428, 429, 503)
DELETE_PROBLEMS = problem_responses(401, 403, 404, 409, 412, 422, 428, 429, 503)
ACTION_PROBLEMS = problem_responses(401, 403, 404, 409, 422, 429, 503)


def _if_match(expected: ExpectedRevision, viewer: Viewer) -> editing.Precondition:
    # Checked against the entry as the writer would read it, once they may change it.
    return lambda current: expected.check(etag_of(ProviderOut.seen_by(viewer, current)))


def _answer(provider: Provider, viewer: Viewer) -> JSONResponse:
    body = ProviderOut.seen_by(viewer, provider)
    return JSONResponse(body.model_dump(mode="json"), headers={"ETag": etag_of(body)})


@router.post(
    "/providers",
    status_code=status.HTTP_201_CREATED,
    summary="Add a provider",
    description=(
        "Add a service point of your organization. Send `Idempotency-Key` (any unique "
        "string) so that a retry after a network failure cannot create it twice: for 24 "
        "hours the same key returns the first answer; the same key with another body is "
        "refused (422), and a duplicate sent while the first is still running gets 409. "
        "Should the first never answer (the server failed), its key is free again after "
        "a short lease (30 seconds by default): retry with the same key then."
    ),
    response_model=ProviderOut,
    responses=problem_responses(400, 401, 403, 409, 413, 422, 429, 503),
)
def create_provider(
    document: ProviderDocument,
    request: Request,
    session: SessionDep,
    snapshots: SnapshotsDep,
    viewer: ViewerDep,
    actor: ActorDep,
    idempotency_key: Annotated[
        str | None, Header(min_length=1, max_length=200, description="Any unique string")
    ] = None,
) -> JSONResponse:
    """Add a provider."""
    answer, replayed = editing.create_provider(
        session=session,
        search=snapshots,
        document=document,
        actor=actor,
        render=lambda provider: ProviderOut.seen_by(viewer, provider).model_dump(mode="json"),
        idempotency_key=idempotency_key,
        lease=timedelta(seconds=runtime_of(request.app).settings.idempotency_lease_seconds),
    )
    headers = {"ETag": etag_of(answer), "Location": f"/v1/providers/{answer['id']}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(answer, status_code=201, headers=headers)


@router.put(
    "/providers/{provider_id}",
    summary="Replace a provider",
    description="Replace the whole entry. `If-Match` with the ETag you read is required.",
    response_model=ProviderOut,
    responses=CHANGE_PROBLEMS,
    openapi_extra=IF_MATCH_OPENAPI,
)
def replace_provider(
    provider_id: ProviderId,
    document: ProviderDocument,
    session: SessionDep,
    snapshots: SnapshotsDep,
    viewer: ViewerDep,
    actor: ActorDep,
    expected: ExpectedRevisionDep,
) -> JSONResponse:
    """Replace a provider."""
    provider = editing.change_provider(
        session=session,
        search=snapshots,
        provider_id=provider_id,
        document=document,
        precondition=_if_match(expected, actor.viewer),
        actor=actor,
    )
    return _answer(provider, viewer)


@router.patch(
    "/providers/{provider_id}",
    summary="Change some fields of a provider",
    description=(
        "JSON Merge Patch (RFC 7396): send only the fields to change; `null` removes an "
        "optional field. `If-Match` with the ETag you read is required."
    ),
    response_model=ProviderOut,
    responses=CHANGE_PROBLEMS,
    openapi_extra=IF_MATCH_OPENAPI,
)
def patch_provider(
    provider_id: ProviderId,
    patch: Annotated[
        dict[str, Any],
        Body(openapi_examples={"hours": {"value": {"opening_hours": "Mo-Sa 07:00-19:00"}}}),
    ],
    session: SessionDep,
    snapshots: SnapshotsDep,
    viewer: ViewerDep,
    actor: ActorDep,
    expected: ExpectedRevisionDep,
) -> JSONResponse:
    """Change some fields of a provider."""
    provider = editing.patch_provider(
        session=session,
        search=snapshots,
        provider_id=provider_id,
        patch=patch,
        precondition=_if_match(expected, actor.viewer),
        actor=actor,
    )
    return _answer(provider, viewer)


@router.delete(
    "/providers/{provider_id}",
    status_code=204,
    summary="Remove a provider",
    description=(
        "Take the entry out of the directory and of search. It can be restored; the change "
        "feed carries the deletion. `If-Match` is required."
    ),
    responses=DELETE_PROBLEMS,
    openapi_extra=IF_MATCH_OPENAPI,
)
def delete_provider(
    provider_id: ProviderId,
    session: SessionDep,
    snapshots: SnapshotsDep,
    actor: ActorDep,
    expected: ExpectedRevisionDep,
) -> Response:
    """Remove a provider."""
    editing.delete_provider(
        session=session,
        search=snapshots,
        provider_id=provider_id,
        precondition=_if_match(expected, actor.viewer),
        actor=actor,
    )
    return Response(status_code=204)


@router.post(
    "/providers/{provider_id}/restore",
    summary="Restore a removed provider",
    description="Bring back an entry removed by mistake.",
    response_model=ProviderOut,
    responses=ACTION_PROBLEMS,
)
def restore_provider(
    provider_id: ProviderId,
    session: SessionDep,
    snapshots: SnapshotsDep,
    viewer: ViewerDep,
    actor: ActorDep,
) -> JSONResponse:
    """Restore a removed provider."""
    provider = editing.restore_provider(
        session=session,
        search=snapshots,
        provider_id=provider_id,
        actor=actor,
    )
    return _answer(provider, viewer)


@router.post(
    "/providers/{provider_id}/verify",
    summary="Confirm a provider is still right",
    description=(
        "Say that you checked the entry and it is still correct: it is marked verified now, "
        "by your organization. Entries not verified for 90 days are demoted in search."
    ),
    response_model=ProviderOut,
    responses=ACTION_PROBLEMS,
)
def verify_provider(
    provider_id: ProviderId,
    session: SessionDep,
    snapshots: SnapshotsDep,
    viewer: ViewerDep,
    actor: ActorDep,
) -> JSONResponse:
    """Confirm a provider is still right."""
    provider = editing.verify_provider(
        session=session,
        search=snapshots,
        provider_id=provider_id,
        actor=actor,
    )
    return _answer(provider, viewer)


def _change(event: ChangeEvent) -> ChangeOut:
    return ChangeOut(
        sequence=event.sequence,
        at=event.at,
        action=event.action,
        provider_id=event.provider_id,
        organization_id=event.organization_id,
        revision=event.revision,
        actor_key_id=event.actor_key_id,
        actor_organization_id=event.actor_organization_id,
        request_id=event.request_id,
        before=event.before,
        after=event.after,
        changes_withheld=event.changes_withheld,
    )


@router.get(
    "/providers/{provider_id}/history",
    summary="History of a provider",
    description="Every change of the entry, who made it and what changed. For the entry's "
    "own organization and admins.",
    response_model=ChangeList,
    responses=problem_responses(401, 403, 404, 422, 429, 503),
)
def provider_history(provider_id: ProviderId, session: SessionDep, viewer: ViewerDep) -> ChangeList:
    """History of a provider."""
    events = editing.provider_history(session=session, provider_id=provider_id, viewer=viewer)
    return ChangeList(items=[_change(e) for e in events], next_after=None)


@router.get(
    "/changes",
    tags=["Sync"],
    summary="Change feed",
    description=(
        "Every accepted write in order — creations, changes, verifications, deletions "
        "(tombstones: `after` is null) and restorations — for systems that keep a copy of the "
        "directory. Start with `after=0`, then pass `next_after` until it comes back null. "
        "Unless your key belongs to the entry's organization or an admin: who made a change "
        "is not shown, and every event of an entry that is confidential now, or was in that "
        "event, shows its documents with the location withheld; an event that changed "
        "nothing you may see has `changes_withheld` true and null documents."
    ),
    response_model=ChangeList,
    responses={**KEY_PROBLEMS, **problem_responses(422, 503)},
    openapi_extra=OPTIONAL_KEY,
)
def changes(
    session: SessionDep,
    viewer: ViewerDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_SEQUENCE, description="Last sequence already seen")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size")] = 100,
) -> ChangeList:
    """Change feed."""
    events = editing.changes_after(session=session, after=after, limit=limit, viewer=viewer)
    next_after = events[-1].sequence if len(events) == limit else None
    return ChangeList(items=[_change(e) for e in events], next_after=next_after)
