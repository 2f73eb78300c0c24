"""Organizations: public reads; admins create and change them, issue and revoke keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response, status
from fastapi.responses import JSONResponse

from referral_api import administration
from referral_api.administration import AdminActor
from referral_api.api.deps import ActorDep, SessionDep
from referral_api.api.organization_schemas import (
    AdminEventList,
    AdminEventOut,
    IssuedKey,
    KeyList,
    KeyOut,
    KeyRequest,
    OrganizationChanges,
    OrganizationList,
    OrganizationOut,
)
from referral_api.api.problems import PROBLEM_RESPONSES, problem_responses
from referral_api.db import repository
from referral_api.documents import OrganizationDocument

router = APIRouter(prefix="/v1", tags=["Organizations"])
OrganizationId = Annotated[
    str, Path(description="The organization's id, e.g. femmes-debout", max_length=64)
]
ADMIN_PROBLEMS = problem_responses(400, 401, 403, 404, 409, 413, 422, 429, 503)
# A freshly issued key must not stay in any cache on its way.
NO_STORE = {"Cache-Control": "no-store"}


async def get_admin(actor: ActorDep) -> AdminActor:
    """The admin calling, or 401/403, settled before the body is read: a caller without
    an admin key learns that, not what its body lacks."""
    return AdminActor.of(actor)


AdminDep = Annotated[AdminActor, Depends(get_admin)]


@router.get(
    "/organizations",
    summary="List organizations",
    description="Every partner organization, with its id under /hsds/organizations.",
    response_model=OrganizationList,
    responses=PROBLEM_RESPONSES,
)
def list_organizations(session: SessionDep) -> OrganizationList:
    """Every partner organization."""
    items = [
        OrganizationOut.of_organization(org)
        for org in repository.list_organizations(session=session)
    ]
    return OrganizationList(items=items, total=len(items))


@router.get(
    "/organizations/{organization_id}",
    summary="Get one organization",
    description="The organization a provider's `organization_id` names.",
    response_model=OrganizationOut,
    responses={**problem_responses(404), **PROBLEM_RESPONSES},
)
def get_organization(organization_id: OrganizationId, session: SessionDep) -> OrganizationOut:
    """One organization: the one a provider's `organization_id` names."""
    found = administration.get(session=session, organization_id=organization_id)
    return OrganizationOut.of_organization(found)


@router.post(
    "/organizations",
    summary="Add an organization (admins)",
    description="An admin adds an organization; recorded in the audit trail (GET /v1/audit).",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganizationOut,
    responses=ADMIN_PROBLEMS,
)
def create_organization(
    document: OrganizationDocument, session: SessionDep, admin: AdminDep
) -> OrganizationOut:
    """Add an organization; recorded in the admin audit trail."""
    created = administration.create_organization(
        session=session, organization=document.to_domain(), actor=admin
    )
    return OrganizationOut.of_organization(created)


@router.patch(
    "/organizations/{organization_id}",
    summary="Change an organization (admins)",
    description=(
        "An admin changes the fields sent (a merge patch; null clears); the id never changes. "
        "Recorded in the audit trail."
    ),
    response_model=OrganizationOut,
    responses=ADMIN_PROBLEMS,
)
def update_organization(
    organization_id: OrganizationId,
    changes: OrganizationChanges,
    session: SessionDep,
    admin: AdminDep,
) -> OrganizationOut:
    """Merge the fields sent into the organization; recorded in the admin audit trail."""
    updated = administration.update_organization(
        session=session,
        organization_id=organization_id,
        changes=changes.changes(),
        actor=admin,
    )
    return OrganizationOut.of_organization(updated)


@router.get(
    "/organizations/{organization_id}/keys",
    summary="List an organization's keys (admins)",
    description="Its keys, revoked ones included: ids, roles, dates; never a key nor digest.",
    response_model=KeyList,
    responses=ADMIN_PROBLEMS,
    dependencies=[Depends(get_admin)],
)
def list_keys(organization_id: OrganizationId, session: SessionDep) -> KeyList:
    """The organization's keys, revoked ones included; never a key's secret."""
    keys = administration.keys_of(session=session, organization_id=organization_id)
    return KeyList(items=[KeyOut.of_key(key) for key in keys])


@router.post(
    "/organizations/{organization_id}/keys",
    summary="Issue a key (admins)",
    description=(
        "A new key for the organization, shown in this answer only (`Cache-Control: no-store`): "
        "store it now. Recorded in the audit trail."
    ),
    status_code=status.HTTP_201_CREATED,
    response_model=IssuedKey,
    responses=ADMIN_PROBLEMS,
)
def issue_key(
    organization_id: OrganizationId,
    session: SessionDep,
    admin: AdminDep,
    request: Annotated[KeyRequest, Body()] = KeyRequest(),  # noqa: B008
) -> JSONResponse:
    """A new key for the organization, shown this once; recorded in the audit trail."""
    key, stored = administration.issue_key(
        session=session,
        organization_id=organization_id,
        role=request.role,
        actor=admin,
    )
    body = IssuedKey(**KeyOut.of_key(stored).model_dump(), key=key.text)
    return JSONResponse(body.model_dump(mode="json"), status_code=201, headers=NO_STORE)


@router.delete(
    "/keys/{key_id}",
    summary="Revoke a key (admins)",
    description=(
        "The key stops working at once (a worker that vouched for it while the database was "
        "away stops when it is back). Recorded in the audit trail."
    ),
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ADMIN_PROBLEMS,
)
def revoke_key(
    key_id: Annotated[str, Path(max_length=16, description="The key id, as listed")],
    session: SessionDep,
    admin: AdminDep,
) -> Response:
    """Revoke a key at once; recorded in the audit trail."""
    administration.revoke_key(session=session, key_id=key_id, actor=admin)
    return Response(status_code=204)


@router.get(
    "/audit",
    summary="The admin audit trail (admins)",
    description=(
        "Changes to organizations and keys, by API and command line alike, oldest first: who "
        "(the admin key and its organization, or `via: cli`), when, the request id, before "
        "and after."
    ),
    response_model=AdminEventList,
    responses=ADMIN_PROBLEMS,
    dependencies=[Depends(get_admin)],
)
def audit_trail(
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=2**31 - 1, description="Events after this")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Events per page")] = 100,
) -> AdminEventList:
    """Changes to organizations and keys, by API and command line alike, oldest first."""
    events = administration.audit_trail(session=session, after=after, limit=limit)
    return AdminEventList(
        items=[AdminEventOut.of_event(event) for event in events],
        next_after=events[-1].sequence if len(events) == limit else None,
    )
