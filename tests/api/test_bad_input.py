"""Hostile or careless input through the real app: a clear problem, never a 500."""

import asyncio
import json

import httpx

from tests.api.test_partner_writes import NEW_ENTRY
from tests.api.test_providers import assert_problem

SEARCH = {"pcode": "CF7113", "needs": ["medical"]}


def chunked_post(client, path, body: bytes, headers):
    """POST `body` in 1 KiB chunks with no Content-Length, as a streaming client sends it."""

    async def chunks():
        for start in range(0, len(body), 1024):
            yield body[start : start + 1024]

    async def send():
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await http.post(
                path, content=chunks(), headers={**headers, "Content-Type": "application/json"}
            )

    return asyncio.run(send())


def test_chunked_bodies_over_64_kib_are_413_and_smaller_ones_go_through(client, keys):
    padded = json.dumps({**NEW_ENTRY, "padding": "y" * 70_000}).encode()
    for path in ("/v1/providers", "/v1/referrals/search"):
        response = chunked_post(client, path, padded, keys.owner)
        assert "content-length" not in response.request.headers
        assert_problem(response, 413)
    created = chunked_post(client, "/v1/providers", json.dumps(NEW_ENTRY).encode(), keys.owner)
    assert created.status_code == 201, created.text
    found = chunked_post(client, "/v1/referrals/search", json.dumps(SEARCH).encode(), {})
    assert found.status_code == 200, found.text
