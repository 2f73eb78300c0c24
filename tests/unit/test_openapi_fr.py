"""The French text of the OpenAPI document translates words and keeps code and Markdown."""

import re

from referral_api.api.openapi_fr import FRENCH

# A Markdown code span: field names, enum values, headers and paths that stay as they are.
CODE_SPAN = re.compile(r"`[^`]+`")


def test_every_string_has_a_french_text_of_its_own():
    # A string that reads the same in both languages is left out, not mapped to itself.
    untranslated = [english for english, french in FRENCH.items() if not french.strip()]
    copied = [english for english, french in FRENCH.items() if french == english]
    assert untranslated == []
    assert copied == []


def test_code_spans_are_kept_as_they_are():
    lost = {
        english: [span for span in CODE_SPAN.findall(english) if span not in french]
        for english, french in FRENCH.items()
    }
    assert {english: spans for english, spans in lost.items() if spans} == {}
    unbalanced = [french for french in FRENCH.values() if french.count("`") % 2]
    assert unbalanced == []


def test_bold_and_paragraphs_are_kept():
    # Lines may wrap elsewhere in French; paragraphs and bold text may not change.
    def shape(text: str) -> tuple[int, int, bool, bool]:
        return text.count("**"), text.count("\n\n"), text.startswith("\n"), text.endswith("\n")

    changed = [english for english, french in FRENCH.items() if shape(english) != shape(french)]
    assert changed == []
