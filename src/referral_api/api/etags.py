"""Entity tags of provider entries: built here alone, for every read and write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# A caller who may not locate a confidential entry sees another representation of it, so it
# has another tag: one that names the revision and says the location is withheld.
WITHHELD_SUFFIX = "-w"


def entity_tag(revision: int, *, location_withheld: bool) -> str:
    """The strong ETag of an entry at `revision`, as a caller who sees it so is shown it."""
    return f'"{revision}{WITHHELD_SUFFIX if location_withheld else ""}"'


def etag_of(entry: Any) -> str:
    """The ETag of an entry as a response shows it (a `ProviderOut` or its JSON data)."""
    if isinstance(entry, Mapping):
        return entity_tag(entry["revision"], location_withheld=entry["location_withheld"])
    return entity_tag(entry.revision, location_withheld=entry.location_withheld)
