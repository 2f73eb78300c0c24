"""The docs page and its OpenAPI document speak French and English."""

import pytest

from referral_api.api.openapi import texts
from referral_api.api.openapi_fr import FRENCH

# The same in both languages, or already in French.
SAME = {
    "Latitude",
    "Longitude",
    "Latitude (WGS84)",
    "Longitude (WGS84)",
    "Réponse réelle de l'annuaire d'exemple (en français, vendredi 27/11/2026 à 10 h)",
}


def test_every_text_of_the_document_has_its_french_and_none_is_stale(sample_client):
    english = texts(sample_client.app.openapi())
    assert sorted(english - FRENCH.keys() - SAME) == []
    assert sorted(FRENCH.keys() - english) == []


@pytest.mark.parametrize(
    ("query", "headers", "lang"),
    [
        ("?lang=fr", {}, "fr"),
        ("?lang=en", {"Accept-Language": "fr"}, "en"),
        ("", {"Accept-Language": "en-GB,en;q=0.8"}, "en"),
        ("", {}, "fr"),  # the deployment's default
    ],
)
def test_the_document_follows_the_asked_language(sample_client, query, headers, lang):
    answer = sample_client.get(f"/openapi.json{query}", headers=headers)
    assert answer.headers["content-language"] == lang
    operation = answer.json()["paths"]["/v1/referrals/search"]["post"]
    english = "Find where to refer a survivor"
    assert operation["summary"] == (FRENCH[english] if lang == "fr" else english)
    page = sample_client.get(f"/docs{query}", headers=headers).text
    assert f"/openapi.json?lang={lang}" in page


def test_example_answers_stay_as_the_service_gave_them(sample_client):
    # A card's own `summary` is data: translating the docs must not touch it.
    english = sample_client.get("/openapi.json?lang=en").json()
    french = sample_client.get("/openapi.json?lang=fr").json()
    path = ("paths", "/v1/referrals/search", "post", "responses", "200", "content")

    def values(document):
        for key in path:
            document = document[key]
        return {
            (media, name): example["value"]
            for media, content in document.items()
            for name, example in content["examples"].items()
        }

    assert values(english) == values(french)


def test_an_unknown_language_is_refused(sample_client):
    assert sample_client.get("/openapi.json?lang=sg").status_code == 422
