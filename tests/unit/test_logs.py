import logging

import pytest

from referral_api.logs import LOG_FORMAT, EscapingFormatter

FORGED = "/v1/providers\r\n2026-01-01 00:00:00,000 INFO referral_api.access GET /x 200\x1b[2J"


def record(message: str, *args: object, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord(
        "referral_api.access", logging.INFO, __file__, 1, message, args, exc_info
    )


def test_a_value_cannot_start_a_line_of_its_own():
    line = EscapingFormatter(LOG_FORMAT).format(
        record("%s %s %d id=%s", "GET", FORGED, 404, "a\x1bb")
    )
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert line.endswith(
        "GET /v1/providers\\r\\n2026-01-01 00:00:00,000 INFO referral_api.access GET /x 200"
        "\\x1b[2J 404 id=a\\x1bb"
    )


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("tab\there", "tab\\there"),
        ("nul\x00", "nul\\x00"),
        ("del\x7f c1\x85", "del\\x7f c1\\x85"),
        ("line\u2028separator", "line\\u2028separator"),
        ("bidi\u202eoverride", "bidi\\u202eoverride"),
        ("Bégoua, Ombella M'Poko", "Bégoua, Ombella M'Poko"),  # printable text stays as it is
    ],
)
def test_controls_are_escaped_and_text_is_not(value, written):
    assert EscapingFormatter("%(message)s").format(record("%s", value)) == written


def test_a_traceback_stays_on_the_line_of_its_record():
    try:
        raise ValueError("bad\nvalue")
    except ValueError as error:
        line = EscapingFormatter(LOG_FORMAT).format(
            record("failed", exc_info=(ValueError, error, None))
        )
    assert "\n" not in line
    assert line.endswith("failed\\nValueError: bad\\nvalue")
