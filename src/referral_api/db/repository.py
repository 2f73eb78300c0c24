"""The directory's storage, by aggregate, under the one name its callers import.

Each aggregate has its module: `providers` (and the organizations that run them),
`gazetteer`, `keys`, `changes` (the feed and the directory's revision) and
`idempotency`. The values they take and give are domain values.
"""

from __future__ import annotations

from referral_api.db.changes import (
    append_event,
    bump_revision,
    current_revision,
    directory_state,
    event_moment,
    events_after,
    events_of,
)
from referral_api.db.gazetteer import (
    get_admin_area,
    has_admin_areas,
    list_admin_areas,
    save_admin_areas,
)
from referral_api.db.idempotency import (
    IdempotentAnswer,
    claim_idempotency_key,
    record_idempotent_answer,
    release_idempotency_key,
)
from referral_api.db.keys import (
    add_key,
    find_key,
    list_keys,
    revoke_key,
    touch_key,
)
from referral_api.db.providers import (
    Extent,
    NewRows,
    ProviderRows,
    all_providers,
    count_providers,
    find_providers,
    get_provider,
    get_provider_any,
    has_providers,
    indexes_set_aside,
    insert_providers,
    insert_rows,
    list_organizations,
    organization_exists,
    organization_ids,
    provider_extent,
    restricted_among,
    save_organization,
    set_deleted_if,
    stored_provider_ids,
    stored_providers,
    update_provider_if,
    upsert_provider,
)
from referral_api.domain.changes import ChangeEvent
from referral_api.domain.clock import utc_now
from referral_api.domain.keys import StoredKey
from referral_api.domain.queries import ProviderQuery

__all__ = [
    "ChangeEvent",
    "Extent",
    "IdempotentAnswer",
    "ProviderQuery",
    "StoredKey",
    "add_key",
    "all_providers",
    "append_event",
    "bump_revision",
    "claim_idempotency_key",
    "count_providers",
    "current_revision",
    "directory_state",
    "event_moment",
    "events_after",
    "events_of",
    "stored_provider_ids",
    "find_key",
    "find_providers",
    "get_admin_area",
    "get_provider",
    "get_provider_any",
    "has_admin_areas",
    "has_providers",
    "indexes_set_aside",
    "NewRows",
    "ProviderRows",
    "insert_providers",
    "insert_rows",
    "list_admin_areas",
    "list_keys",
    "list_organizations",
    "organization_exists",
    "organization_ids",
    "provider_extent",
    "record_idempotent_answer",
    "release_idempotency_key",
    "restricted_among",
    "revoke_key",
    "save_admin_areas",
    "save_organization",
    "set_deleted_if",
    "stored_providers",
    "touch_key",
    "update_provider_if",
    "upsert_provider",
    "utc_now",
]
