"""The docs page's examples are what the service answers, not placeholders."""

from referral_api.api.examples import FOLDER, record


def test_the_recorded_examples_are_what_the_sample_answers(sample_client):
    drifted = [
        name
        for name, content in record(sample_client).items()
        if (FOLDER / name).read_text(encoding="utf-8") != content
    ]
    assert not drifted, f"run scripts/record_examples.py: {drifted} changed"


def test_the_search_documents_a_real_answer_in_json_and_in_text(sample_client):
    document = sample_client.get("/openapi.json?lang=fr").json()
    content = document["paths"]["/v1/referrals/search"]["post"]["responses"]["200"]["content"]
    answer = content["application/json"]["examples"]["fr"]["value"]
    first = answer["providers"][answer["options"][0]["provider_id"]]
    assert first["name"] == "Hôpital Communautaire"
    text = content["text/plain"]["examples"]["fr"]["value"]
    assert "1. Hôpital Communautaire" in text and "72 heures" in text
    assert '"string"' not in str(content)
