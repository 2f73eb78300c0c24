import json
import logging
import re

import pytest

from referral_api.api.search_schemas import EXAMPLE_REQUEST, SearchResponse
from tests.answers import options_of
from tests.api.test_providers import assert_problem
from tests.conftest import SAFE_HOUSE_ID

FRIDAY_10H = "2026-11-27T10:00:00+01:00"
FRIDAY_23H = "2026-11-27T23:00:00+01:00"


def search(client, **body):
    response = client.post("/v1/referrals/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_docs_example_returns_a_pathway_for_a_girl_in_the_3rd_arrondissement(sample_client):
    body = search(sample_client, **EXAMPLE_REQUEST, at=FRIDAY_10H)
    assert body["area"] == {"pcodes": ["CF7113", "CF711", "CF71"], "label": "Arrondissement 3"}
    assert body["lang"] == "fr"
    assert [step["need"] for step in body["pathway"]] == ["medical", "psychosocial"]
    medical = options_of(body, need="medical")
    assert medical and all("pep_within_72h" in o["reasons"] for o in medical)
    assert body["one_stop"]
    assert body["safe_entry_points"]
    first = options_of(body)[0]
    assert first["distance_km"] is not None
    assert all(first["reasons"].values())
    assert first["summary"].startswith(first["name"])


def test_get_gives_the_same_answer_as_post(sample_client):
    posted = search(sample_client, pcode="CF7113", needs=["medical", "legal"], at=FRIDAY_10H)
    got = sample_client.get(
        "/v1/referrals",
        params={"pcode": "CF7113", "needs": "medical,legal", "at": FRIDAY_10H},
    ).json()
    assert got == posted
    repeated = sample_client.get(
        "/v1/referrals",
        params=[("pcode", "CF7113"), ("needs", "medical"), ("needs", "legal"), ("at", FRIDAY_10H)],
    ).json()
    assert repeated == posted


@pytest.mark.parametrize(
    "where",
    [
        {"lat": 4.3612, "lon": 18.5555},
        {"pcode": "CF7115"},
        {"place": "Bégoua"},
        {"place": "begoua"},
        {"place": "3e arrondissement"},
        {"place": "Bimbo"},
    ],
)
def test_every_way_to_say_where_is_accepted(sample_client, where):
    body = search(sample_client, needs=["case_management"], at=FRIDAY_10H, **where)
    assert body["options"]
    assert body["area"]["pcodes"]


def test_the_same_request_gives_the_same_order(sample_client):
    first = search(sample_client, place="Bimbo", needs=["medical"], at=FRIDAY_23H)
    again = search(sample_client, place="Bimbo", needs=["medical"], at=FRIDAY_23H)
    assert first == again


def test_explanations_follow_the_asked_language(sample_client):
    english = sample_client.post(
        "/v1/referrals/search",
        json={"pcode": "CF7113", "needs": ["medical.pep"], "at": FRIDAY_10H},
        headers={"Accept-Language": "en-GB,en;q=0.8"},
    ).json()
    assert english["lang"] == "en"
    assert options_of(english)[0]["reasons"]["pep_within_72h"].startswith("Gives PEP")
    french = search(sample_client, pcode="CF7113", needs=["medical.pep"], at=FRIDAY_10H)
    assert options_of(french)[0]["reasons"]["pep_within_72h"].startswith("PPE possible")


def test_explain_counts_what_each_filter_excluded(sample_client):
    body = search(
        sample_client, pcode="CF7113", needs=["medical"], at=FRIDAY_23H, open_now=True, explain=True
    )
    excluded = body["explanation"]["excluded"]
    assert body["explanation"]["providers_in_directory"] == 55
    assert excluded["closed_now"] > 0
    assert excluded["not_active"] == 1
    assert excluded["not_accepting_referrals"] == 1
    kept = 55 - sum(excluded.values())
    assert len(body["options"]) == min(kept, 10)
    assert all(o["open_now"] in (True, None) for o in options_of(body))


def test_a_safe_entry_point_comes_even_for_a_need_nobody_offers_here(sample_client):
    body = search(sample_client, place="Bégoua", needs=["economic"], max_distance_km=1)
    assert body["options"] == []
    assert body["safe_entry_points"]
    assert all(o["safe_entry_point"] for o in options_of(body, "safe_entry_points"))


def test_police_do_not_lead_a_safety_search(sample_client):
    body = search(sample_client, place="2e arrondissement", needs=["safety"], at=FRIDAY_23H)
    first_services = {s["need"] for s in options_of(body)[0]["services"]}
    assert not first_services & {"legal.police", "legal.justice"}


def test_the_safe_house_appears_with_a_distance_band_and_no_location(sample_client):
    body = search(sample_client, pcode="CF7117", needs=["safety.shelter"], sex="female")
    option = next(o for o in options_of(body) if o["provider"]["id"] == SAFE_HOUSE_ID)
    assert option["provider"]["location"] is None
    assert option["provider"]["location_withheld"] is True
    assert option["provider"]["address"] is None
    assert option["provider"]["admin"]["adm3"] is None
    assert option["distance_km"] is None
    assert option["distance_band"] in {"under 2 km", "2-5 km", "5-10 km", "10-25 km", "over 25 km"}
    assert option["provider"]["contacts"]["focal_point_role"]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"needs": ["medical"]}, ("body",)),
        ({"pcode": "CF7113", "place": "Bimbo", "needs": ["medical"]}, ("body",)),
        ({"lat": 4.36, "needs": ["medical"]}, ("body",)),
        ({"lat": 91, "lon": 18.5, "needs": ["medical"]}, ("body", "lat")),
        ({"lat": 4.3, "lon": "east", "needs": ["medical"]}, ("body", "lon")),
        ({"pcode": "CF7113", "needs": []}, ("body", "needs")),
        ({"pcode": "CF7113", "needs": ["medical.magic"]}, ("body", "needs")),
        ({"pcode": "CF9999", "needs": ["medical"]}, ("pcode",)),
        ({"pcode": "CF7113", "needs": ["medical"], "limit": 51}, ("body", "limit")),
        ({"pcode": "CF7113", "needs": ["medical"], "age": -1}, ("body", "age")),
        ({"pcode": "CF7113", "needs": ["medical"], "sex": "unknown"}, ("body", "sex")),
        (
            {"pcode": "CF7113", "needs": ["medical"], "time_since_incident": "2026-11-27T01:00"},
            ("body", "time_since_incident"),
        ),
        ({"pcode": "CF7113", "needs": ["medical"], "at": "2026-11-27T10:00"}, ("body", "at")),
        (
            {"pcode": "CF7113", "needs": ["medical"], "survivor_name": "A"},
            ("body", "survivor_name"),
        ),
        ({"pcode": "CF7113", "needs": ["medical"], "lang": "de"}, ("body", "lang")),
        (
            {"pcode": "CF7113", "needs": ["medical"], "max_distance_km": 0},
            ("body", "max_distance_km"),
        ),
    ],
)
def test_bad_requests_are_422_problems_naming_the_field(sample_client, body, location):
    response = sample_client.post("/v1/referrals/search", json=body)
    assert_problem(response, 422, location)


def test_unknown_place_lists_candidates(sample_client):
    response = sample_client.post(
        "/v1/referrals/search", json={"place": "Begua", "needs": ["medical"]}
    )
    body = assert_problem(response, 422, ("place",))
    assert body["type"] == "/problems/ambiguous-place"
    assert any(candidate.startswith("Bégoua") for candidate in body["candidates"])


def test_a_body_that_is_not_json_is_422_not_500(sample_client):
    response = sample_client.post(
        "/v1/referrals/search",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 422)


def test_a_wrong_key_is_refused_not_taken_for_an_anonymous_caller(sample_client):
    # A caller who sent a key expects to see what it may see: silently answering as
    # anonymous would hide confidential options without saying why.
    wrong = {"Authorization": "Bearer rk_000000000000_" + "x" * 43}
    body = {"pcode": "CF7113", "needs": ["medical"]}
    assert_problem(sample_client.post("/v1/referrals/search", json=body, headers=wrong), 401)
    query = {"pcode": "CF7113", "needs": "medical"}
    assert_problem(sample_client.get("/v1/referrals", params=query, headers=wrong), 401)


def test_the_docs_page_offers_the_key_and_the_language_on_both_searches(sample_client):
    schema = sample_client.get("/openapi.json?lang=en").json()
    for path, method in (("/v1/referrals/search", "post"), ("/v1/referrals", "get")):
        operation = schema["paths"][path][method]
        assert {"PartnerKey": []} in operation["security"]
        # No header box stands before the body in the form: the language is a field.
        assert not [p for p in operation.get("parameters", []) if p["in"] == "header"]
    lang = schema["components"]["schemas"]["SearchRequest"]["properties"]["lang"]
    assert "Accept-Language" in lang["description"]


def test_unknown_query_parameters_are_refused_on_get(sample_client):
    response = sample_client.get(
        "/v1/referrals", params={"pcode": "CF7113", "needs": "medical", "name": "A"}
    )
    assert_problem(response, 422, ("query", "name"))


def test_search_logs_never_hold_more_than_2_decimals_of_a_location(sample_client, caplog):
    caplog.set_level(logging.DEBUG)
    search(sample_client, lat=4.361234, lon=18.555678, needs=["medical"])
    sample_client.get(
        "/v1/referrals", params={"lat": 4.371234, "lon": 18.565678, "needs": "medical"}
    )
    sample_client.post(
        "/v1/referrals/search", json={"lat": 4.381234, "lon": 18.575678, "needs": ["nope"]}
    )
    # Everything the service logs; the test client's own request log is not the service's.
    text = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith("httpx")
    )
    for digits in ("4.361", "18.555", "4.371", "18.565", "4.381", "18.575", "361234"):
        assert digits not in text
    assert "near=(4.36,18.56)" in text
    assert "search" in text
    # The problem document does not echo the coordinates back either.
    response = sample_client.post(
        "/v1/referrals/search", json={"lat": 94.381234, "lon": 18.575678, "needs": ["medical"]}
    )
    assert "94.38" not in response.text


@pytest.mark.parametrize(
    "body",
    [
        EXAMPLE_REQUEST,
        {"place": "Bégoua", "needs": ["case_management", "legal.aid", "medical"], "explain": True},
        {"pcode": "CF7117", "needs": ["safety"], "open_now": True, "at": FRIDAY_23H},
    ],
)
def test_answers_match_the_declared_response_schema(sample_client, body):
    answer = search(sample_client, **body)
    # Fields at their default are left out of the answer: hold what it holds, exactly.
    validated = SearchResponse.model_validate(answer).model_dump(mode="json", exclude_unset=True)
    # Both spellings of UTC are RFC 3339; pydantic writes Z where the fast encoder writes +00:00.
    assert json.loads(json.dumps(validated)) == json.loads(
        json.dumps(answer).replace('+00:00"', 'Z"')
    )


def test_the_answer_is_compressed_for_clients_that_accept_it(sample_client):
    body = {**EXAMPLE_REQUEST, "at": FRIDAY_10H}
    plain = sample_client.post(
        "/v1/referrals/search", json=body, headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers
    for encoding in ("gzip", "br", "zstd"):
        packed = sample_client.post(
            "/v1/referrals/search", json=body, headers={"Accept-Encoding": encoding}
        )
        assert packed.headers["content-encoding"] == encoding
        assert int(packed.headers["content-length"]) * 4 < len(plain.content)
    # The test client decodes gzip and brotli itself.
    for encoding in ("gzip", "br"):
        packed = sample_client.post(
            "/v1/referrals/search", json=body, headers={"Accept-Encoding": encoding}
        )
        assert packed.json() == plain.json()


def test_each_provider_is_given_once_and_every_list_refers_to_it(sample_client):
    body = search(sample_client, **EXAMPLE_REQUEST, at=FRIDAY_10H)
    refs = [*body["options"], *body["one_stop"], *body["safe_entry_points"]]
    refs += [ref for step in body["pathway"] for ref in step["options"]]
    assert {ref["provider_id"] for ref in refs} == set(body["providers"])
    assert len(refs) > len(body["providers"])


def test_every_code_of_the_answer_is_worded_once_in_its_notes(sample_client):
    for lang in ("fr", "en"):
        body = search(sample_client, **{**EXAMPLE_REQUEST, "lang": lang}, at=FRIDAY_10H)
        refs = [*body["options"], *body["one_stop"], *body["safe_entry_points"]]
        refs += [ref for step in body["pathway"] for ref in step["options"]]
        cards = body["providers"].values()
        used = {code for card in cards for code in card["reasons"] + card.get("warnings", [])}
        used |= {code for ref in refs for code in ref.get("warnings", [])}
        assert set(body["notes"]) == used
        assert all(body["notes"].values())


def test_a_provider_demoted_in_any_list_warns_on_its_card(sample_client):
    # A clinic without PEP, first listed where urgency does not order the list (the
    # psychosocial one), then demoted in the one-stop list: its card still says why.
    body = search(sample_client, **EXAMPLE_REQUEST, at=FRIDAY_10H)
    demoted = [
        ref for name in ("options", "one_stop") for ref in body[name] if ref.get("tier") == 1
    ]
    demoted += [ref for step in body["pathway"] for ref in step["options"] if ref.get("tier")]
    assert demoted
    for ref in demoted:
        card = body["providers"][ref["provider_id"]]
        assert {"no_pep_here", "no_ec_here"} & set(card.get("warnings", []))


def test_urgency_does_not_demote_a_clinic_in_the_psychosocial_list(sample_client):
    body = search(sample_client, **EXAMPLE_REQUEST, at=FRIDAY_10H)
    medical, psychosocial = body["pathway"]
    # Urgency orders the medical list alone: the others carry no tier.
    assert all("tier" in ref for ref in medical["options"])
    assert not any("tier" in ref for ref in psychosocial["options"])
    names = [body["providers"][ref["provider_id"]]["name"] for ref in psychosocial["options"]]
    assert not names[0].startswith("Ligne")  # the one-stop hospital leads, not a hotline


def test_a_male_survivor_is_not_sent_to_a_women_only_entry_point(sample_client):
    body = search(sample_client, pcode="CF7113", needs=["medical"], sex="male", age=30)
    for entry in options_of(body, "safe_entry_points"):
        if "not_for_sex" not in entry["warnings"]:
            assert all(
                not s["eligibility"]["sexes"] or "male" in s["eligibility"]["sexes"]
                for s in entry["services"]
            )


def test_reasons_read_as_french_writes_them(sample_client):
    body = search(sample_client, **EXAMPLE_REQUEST, at=FRIDAY_10H)
    first = options_of(body)[0]
    assert re.search(r" · à \d+,\d km · ", first["summary"])
    assert first["reasons"]["near"] == "À moins de 15 km."
    assert first["reasons"]["speaks_language"] == "Parle une langue demandée (sango ou français)."
    assert "fee" not in first["warnings"]  # what it matched for this case is free
