"""Keys for two partners and an admin, on the app's own database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from referral_api.db import repository
from referral_api.domain.keys import digest, new_key


@dataclass(frozen=True)
class Keys:
    owner: dict[str, str]  # femmes-debout: runs the safe house and several safe spaces
    other: dict[str, str]  # clinique-juridique
    admin: dict[str, str]
    owner_key_id: str


def make_key(client, organization_id: str, role: str = "partner") -> tuple[str, str]:
    key = new_key()
    with Session(client.app.state.runtime.engine) as session:
        repository.add_key(
            session=session,
            key_id=key.key_id,
            organization_id=organization_id,
            role=role,
            secret_hash=digest(key.text),
        )
        session.commit()
    return key.key_id, key.text


def bearer(text: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {text}"}


@pytest.fixture
def keys(client) -> Keys:
    owner_id, owner = make_key(client, "femmes-debout")
    _, other = make_key(client, "clinique-juridique")
    _, admin = make_key(client, "fonds-protection", "admin")
    return Keys(bearer(owner), bearer(other), bearer(admin), owner_id)
