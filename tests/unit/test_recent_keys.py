"""A key verified lately vouches for itself while the database is away, and only so long."""

from referral_api.api.auth import KEY_VOUCH_SECONDS, RecentKeys
from referral_api.domain.access import Viewer
from referral_api.domain.keys import digest, new_key


def test_a_key_verified_lately_stands_for_its_organization_and_no_other_key_does():
    key, other = new_key(), new_key()
    viewer = Viewer(organization_id="femmes-debout", key_id=key.key_id)
    recent = RecentKeys()
    recent.remember(digest(key.text), viewer, now=100.0)
    assert recent.vouch(key.text, key.key_id, now=100.0 + KEY_VOUCH_SECONDS) == viewer
    assert recent.vouch(key.text, key.key_id, now=101.0 + KEY_VOUCH_SECONDS) is None
    assert recent.vouch(other.text, other.key_id, now=100.0) is None
    # The id of a remembered key with another secret is not that key.
    forged = other.text.replace(other.key_id, key.key_id)
    assert recent.vouch(forged, key.key_id, now=100.0) is None
