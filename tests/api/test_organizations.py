"""Organizations: public reads; admins manage them and their keys, by API and CLI, audited."""

from __future__ import annotations

from typer.testing import CliRunner

from referral_api.cli import app as cli
from referral_api.interop.hsds import organization_uuid
from tests.api.conftest import bearer

NEW = {"id": "voix-des-femmes", "name": "Voix des femmes (organisation fictive)", "kind": "ngo"}


def test_organizations_are_listed_and_followed_from_a_provider(client):
    listed = client.get("/v1/organizations").json()
    assert listed["total"] == len(listed["items"]) == 7
    provider = client.get("/v1/providers", params={"limit": 1}).json()["items"][0]
    one = client.get(f"/v1/organizations/{provider['organization_id']}")
    assert one.status_code == 200
    assert one.json()["hsds_id"] == organization_uuid(provider["organization_id"])
    missing = client.get("/v1/organizations/nobody")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_only_admins_manage_organizations_and_keys(client, keys):
    for headers, code in (({}, 401), (keys.other, 403), (keys.owner, 403)):
        assert client.post("/v1/organizations", json=NEW, headers=headers).status_code == code
        assert (
            client.patch("/v1/organizations/femmes-debout", json={"name": "X"}, headers=headers)
        ).status_code == code
        assert (
            client.post("/v1/organizations/femmes-debout/keys", headers=headers).status_code == code
        )
        assert (
            client.get("/v1/organizations/femmes-debout/keys", headers=headers).status_code == code
        )
        assert client.delete(f"/v1/keys/{keys.owner_key_id}", headers=headers).status_code == code
        assert client.get("/v1/audit", headers=headers).status_code == code
    assert client.get("/v1/organizations/voix-des-femmes").status_code == 404


def test_a_caller_without_an_admin_key_is_told_so_before_anything_about_its_body(client, keys):
    invalid = {**NEW, "phone": "0000"}
    for headers, code in (({}, 401), (keys.other, 403)):
        assert client.post("/v1/organizations", json=invalid, headers=headers).status_code == code
        patched = client.patch("/v1/organizations/femmes-debout", json=invalid, headers=headers)
        assert patched.status_code == code


def test_an_admin_creates_changes_issues_and_revokes_with_an_audit_trail(client, keys):
    created = client.post("/v1/organizations", json=NEW, headers=keys.admin)
    assert created.status_code == 201, created.text
    assert client.post("/v1/organizations", json=NEW, headers=keys.admin).status_code == 409
    bad = client.post("/v1/organizations", json={**NEW, "id": "Bad Id"}, headers=keys.admin)
    assert bad.status_code == 422
    changed = client.patch(
        "/v1/organizations/voix-des-femmes",
        json={"acronym": "VDF", "email": "contact@vdf.example"},
        headers={**keys.admin, "X-Request-ID": "req-org-1"},
    )
    assert changed.status_code == 200 and changed.json()["acronym"] == "VDF"
    renamed = client.patch(
        "/v1/organizations/voix-des-femmes", json={"id": "other"}, headers=keys.admin
    )
    assert renamed.status_code == 422
    # The HSDS view follows at once.
    hsds = client.get(f"/hsds/organizations/{organization_uuid('voix-des-femmes')}").json()
    assert hsds["alternate_name"] == "VDF"

    issued = client.post(
        "/v1/organizations/voix-des-femmes/keys", json={"role": "partner"}, headers=keys.admin
    )
    assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
    key = issued.json()
    new_key = bearer(key["key"])
    entry = {
        "organization_id": "voix-des-femmes",
        "name": "Écoute (exemple)",
        "modality": "remote",
        "service_area": {"pcodes": ["CF71"]},
        "services": [{"need": "psychosocial.pss"}],
    }
    posted = client.post("/v1/providers", json=entry, headers=new_key)
    assert posted.status_code == 201, posted.text
    listed = client.get("/v1/organizations/voix-des-femmes/keys", headers=keys.admin).json()
    assert [k["key_id"] for k in listed["items"]] == [key["key_id"]]
    assert key["key"] not in str(listed) and "secret" not in str(listed)
    assert client.delete(f"/v1/keys/{key['key_id']}", headers=keys.admin).status_code == 204
    assert client.delete(f"/v1/keys/{key['key_id']}", headers=keys.admin).status_code == 404
    assert client.post("/v1/providers", json=entry, headers=new_key).status_code == 401

    trail = client.get("/v1/audit", headers=keys.admin).json()["items"]
    actions = [(e["action"], e["organization_id"], e["via"]) for e in trail]
    assert actions == [
        ("organization.create", "voix-des-femmes", "api"),
        ("organization.update", "voix-des-femmes", "api"),
        ("key.issue", "voix-des-femmes", "api"),
        ("key.revoke", "voix-des-femmes", "api"),
    ]
    update = trail[1]
    assert update["before"]["acronym"] is None and update["after"]["acronym"] == "VDF"
    assert update["request_id"] == "req-org-1"
    assert {e["actor_organization_id"] for e in trail} == {"fonds-protection"}
    assert all(e["actor_key_id"] for e in trail)
    assert key["key"] not in str(trail)


def test_the_command_line_writes_the_same_audit_trail(client, keys, monkeypatch):
    monkeypatch.setenv(
        "REFERRAL_DATABASE_URL",
        client.app.state.runtime.engine.url.render_as_string(hide_password=False),
    )
    runner = CliRunner()
    made = runner.invoke(
        cli, ["organizations", "create", "voix-des-femmes", "--name", NEW["name"], "--kind", "ngo"]
    )
    assert made.exit_code == 0, made.output
    assert (
        runner.invoke(
            cli, ["organizations", "update", "voix-des-femmes", "--acronym", "VDF"]
        ).exit_code
        == 0
    )
    again = runner.invoke(
        cli, ["organizations", "create", "voix-des-femmes", "--name", "x", "--kind", "ngo"]
    )
    assert again.exit_code == 2
    issued = runner.invoke(cli, ["keys", "create", "--org", "voix-des-femmes"])
    assert issued.exit_code == 0
    key_id = issued.stdout.split("_")[1]
    assert runner.invoke(cli, ["keys", "revoke", key_id]).exit_code == 0
    trail = client.get("/v1/audit", headers=keys.admin).json()["items"]
    assert [(e["action"], e["via"], e["actor_key_id"]) for e in trail] == [
        ("organization.create", "cli", None),
        ("organization.update", "cli", None),
        ("key.issue", "cli", None),
        ("key.revoke", "cli", None),
    ]
    assert trail[2]["key_id"] == key_id
    assert client.get("/v1/organizations/voix-des-femmes").json()["acronym"] == "VDF"
