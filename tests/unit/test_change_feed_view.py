"""Who sees what of a change event: the rule, without HTTP or a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from referral_api.documents import ProviderDocument
from referral_api.domain.access import ANONYMOUS, Viewer
from referral_api.domain.changes import ChangeEvent
from referral_api.domain.model import ServiceArea, Visibility
from referral_api.editing import event_as_seen_by
from tests.unit.builders import provider, square

OWNER = Viewer(organization_id="org", key_id="k-owner")
OTHER = Viewer(organization_id="other-org", key_id="k-other")
ADMIN = Viewer(organization_id="fund", is_admin=True, key_id="k-admin")


def document(at=(18.6182, 4.3808), **fields):
    entry = provider("house", ("safety.shelter",), at=at, **fields)
    return ProviderDocument.of_provider(entry).model_dump(mode="json")


def event(before, after):
    return ChangeEvent(
        sequence=7,
        at=datetime(2026, 11, 30, tzinfo=UTC),
        action="update",
        provider_id=uuid.uuid4(),
        organization_id="org",
        actor_key_id="k-owner",
        actor_organization_id="org",
        request_id="req-1",
        revision=3,
        before=before,
        after=after,
    )


PUBLIC = document(address="Rue 12")
RESTRICTED = document(address="Rue 12", visibility=Visibility.RESTRICTED)


def test_the_owner_and_admins_see_the_event_whole():
    change = event(PUBLIC, RESTRICTED)
    assert event_as_seen_by(OWNER, change, restricted_now=True) is change
    assert event_as_seen_by(ADMIN, change, restricted_now=True) is change


def test_others_never_see_who_made_a_change():
    for viewer in (ANONYMOUS, OTHER):
        seen = event_as_seen_by(viewer, event(PUBLIC, document()), restricted_now=False)
        assert (seen.actor_key_id, seen.actor_organization_id, seen.request_id) == (None,) * 3
        assert seen.after == document() and seen.before == PUBLIC  # a public entry, whole


def test_an_entry_confidential_now_is_withheld_in_every_past_event():
    seen = event_as_seen_by(ANONYMOUS, event(None, PUBLIC), restricted_now=True)
    assert seen.after is not None
    assert seen.after["location"] is None and seen.after["address"] is None
    assert seen.after["admin"]["adm3"] is None
    assert seen.after["visibility"] == "public"  # as it was then


def test_an_event_in_which_the_entry_was_confidential_is_withheld_after_it_went_public():
    seen = event_as_seen_by(OTHER, event(RESTRICTED, PUBLIC), restricted_now=False)
    assert seen.before is not None and seen.after is not None
    assert seen.before["location"] is None and seen.after["location"] is None
    assert (seen.before["visibility"], seen.after["visibility"]) == ("restricted", "public")
    assert not seen.changes_withheld


def test_a_change_invisible_to_the_caller_says_only_that_the_entry_changed():
    area = ServiceArea(geometry=square(18.61, 4.37, 18.63, 4.39))
    moved = document(
        address="Avenue 3",
        visibility=Visibility.RESTRICTED,
        at=(18.6201, 4.3822),
        service_area=area,
    )
    seen = event_as_seen_by(ANONYMOUS, event(RESTRICTED, moved), restricted_now=True)
    assert seen.changes_withheld
    assert seen.before is None and seen.after is None
    assert seen.revision == 3 and seen.action == "update"
