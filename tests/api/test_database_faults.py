"""A write the database itself refuses: a clear problem, and nothing of it in any log."""

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from referral_api.db import repository
from tests.api.test_providers import assert_problem

# Digits found nowhere else in the sample, the code or its messages.
SECRET_LON, SECRET_LAT = 18.537913, 4.381427
RESTRICTED_ENTRY = {
    "organization_id": "femmes-debout",
    "name": "Maison refusee 7Q2X",
    "visibility": "restricted",
    "location": {"lon": SECRET_LON, "lat": SECRET_LAT},
    "address": "Rue 9K4W, derriere le marche",
    "services": [{"need": "safety.shelter"}],
}
REVEALING = ("537913", "381427", "7Q2X", "9K4W")


def refuse_in_the_database(client) -> None:
    """Make the database refuse this entry on insert, as a broken constraint would."""
    engine = client.app.state.runtime.engine
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON provider "
                    "WHEN NEW.name LIKE 'Maison refusee%' "
                    "BEGIN SELECT RAISE(ABORT, 'refused on purpose'); END"
                )
            )
        else:
            # PostgreSQL quotes the whole refused row, coordinates included, in its message.
            connection.execute(
                text(
                    "ALTER TABLE provider ADD CONSTRAINT refuse "
                    "CHECK (name NOT LIKE 'Maison refusee%')"
                )
            )


def assert_nothing_revealed(caplog, response) -> None:
    logged = caplog.text
    for secret in REVEALING:
        assert secret not in logged
        assert secret not in response.text
    assert "18.5379" not in logged and "4.3814" not in logged


def test_a_write_refused_inside_the_database_reveals_nothing(client, keys, caplog):
    refuse_in_the_database(client)
    caplog.set_level(logging.DEBUG)
    for headers in (keys.owner, {**keys.owner, "Idempotency-Key": "refused-1"}):
        response = client.post("/v1/providers", json=RESTRICTED_ENTRY, headers=headers)
        body = assert_problem(response, 409)
        assert "refused" in body["detail"]
        assert_nothing_revealed(caplog, response)
    assert "database refused a change: IntegrityError" in caplog.text
    # Nothing was half-written, and the refused key is free for a corrected retry.
    corrected = {**RESTRICTED_ENTRY, "name": "Maison acceptee"}
    again = client.post(
        "/v1/providers", json=corrected, headers={**keys.owner, "Idempotency-Key": "refused-1"}
    )
    assert again.status_code == 201, again.text


# SQLite stores a text of any length, so only PostgreSQL can refuse one.
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgis", marks=pytest.mark.postgis)], indirect=True
)
def test_a_value_the_storage_cannot_hold_is_invalid_input_not_500(client, keys, caplog):
    with client.app.state.runtime.engine.begin() as connection:
        # As if the schema and the API's limits had drifted apart.
        connection.execute(text("ALTER TABLE provider ALTER COLUMN address TYPE varchar(10)"))
    caplog.set_level(logging.DEBUG)
    response = client.post("/v1/providers", json=RESTRICTED_ENTRY, headers=keys.owner)
    assert_problem(response, 422)
    assert_nothing_revealed(caplog, response)
    assert "DataError" in caplog.text and "code=22001" in caplog.text
    # PostgreSQL's text cannot hold NUL; the driver refuses it before sending.
    nul = client.post(
        "/v1/providers",
        json={**RESTRICTED_ENTRY, "name": "Maison\u0000 7Q2X", "address": None},
        headers=keys.owner,
    )
    assert_problem(nul, 422)
    assert_nothing_revealed(caplog, nul)


# PostgreSQL compares any integer; SQLite's driver cannot even bind one beyond 64 bits.
# The API bounds its integers before they reach the database; this holds the edge itself.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_number_beyond_sqlite_integers_is_a_data_error_not_a_crash(engine):
    with Session(engine) as session, pytest.raises(DataError):
        repository.events_after(session=session, after=10**30, limit=1)
