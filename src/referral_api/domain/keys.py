"""API keys: how they are made, recognised and checked, without ever storing one."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

PREFIX = "rk"
_FORMAT = re.compile(r"^rk_([0-9a-f]{12})_([A-Za-z0-9_-]{32,64})$")


class Role(StrEnum):
    """What a key may do."""

    PARTNER = "partner"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key as shown once to its owner: the id is public, the whole text is the secret."""

    key_id: str
    text: str


def new_key() -> NewKey:
    """A fresh random key, `rk_<id>_<secret>`, with 256 bits of secret."""
    key_id = secrets.token_hex(6)
    return NewKey(key_id, f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}")


def key_id_of(text: str) -> str | None:
    """The visible id of a well-formed key, or None."""
    match = _FORMAT.match(text)
    return match.group(1) if match else None


def digest(text: str) -> str:
    """What is stored of a key. Keys are long random strings, so a plain SHA-256 suffices:
    there is no small password space for a slow hash to protect."""
    return hashlib.sha256(text.encode()).hexdigest()


def matches(text: str, stored_digest: str) -> bool:
    """Whether a presented key is the one whose digest is stored (in constant time)."""
    return hmac.compare_digest(digest(text), stored_digest)


@dataclass(frozen=True, slots=True)
class StoredKey:
    """An API key as stored: never the key itself."""

    key_id: str
    organization_id: str
    role: str
    secret_hash: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
