from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from opening_hours import OpeningHours

from referral_api.domain.errors import InvalidInputError
from referral_api.domain.hours import (
    LOOKAHEAD_DAYS,
    is_always_open,
    open_state,
    validate_opening_hours,
    validate_timezone,
)

BANGUI = ZoneInfo("Africa/Bangui")
HEALTH_CENTRE = "Mo-Fr 07:30-15:30; Sa 08:00-12:00"


@pytest.mark.parametrize(
    ("moment", "is_open", "next_change"),
    [
        # Friday 27 November 2026.
        (datetime(2026, 11, 27, 10, 0, tzinfo=BANGUI), True, datetime(2026, 11, 27, 15, 30)),
        (datetime(2026, 11, 27, 16, 0, tzinfo=BANGUI), False, datetime(2026, 11, 28, 8, 0)),
        (datetime(2026, 11, 28, 12, 30, tzinfo=BANGUI), False, datetime(2026, 11, 30, 7, 30)),
        # 06:45 UTC is 07:45 in Bangui (UTC+1): open, though 06:45 local would be closed.
        (datetime(2026, 11, 27, 6, 45, tzinfo=UTC), True, datetime(2026, 11, 27, 15, 30)),
    ],
)
def test_hours_are_evaluated_in_the_providers_time_zone(moment, is_open, next_change):
    state = open_state(HEALTH_CENTRE, "Africa/Bangui", moment)
    assert state.is_open is is_open
    assert state.next_change_at is not None
    assert state.next_change_at.replace(tzinfo=None) == next_change


def test_round_the_clock_never_changes():
    state = open_state("24/7", "Africa/Bangui", datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    assert state.is_open is True
    assert state.next_change_at is None
    assert is_always_open("24/7")
    assert not is_always_open(HEALTH_CENTRE)
    assert not is_always_open(None)


@pytest.mark.parametrize(
    ("expression", "always"),
    [
        ("Mo-Su 00:00-24:00", True),
        ("Mo-Su 00:00-24:00; PH off", True),  # no holiday calendar: nothing closes it
        ("Mo-Fr 00:00-24:00", False),
        ("Jan-Jun Mo-Su 00:00-24:00", False),
        ("Mo-Su 00:00-23:59", False),
        ("unknown", False),
        ("not hours at all", False),
    ],
)
def test_rules_that_never_close_count_as_round_the_clock(expression, always):
    assert is_always_open(expression) is always


def test_missing_or_unknown_hours_are_unknown_not_closed():
    moment = datetime(2026, 11, 27, 10, 0, tzinfo=BANGUI)
    assert open_state(None, "Africa/Bangui", moment).is_known is False
    assert open_state("Mo-Fr 08:00-12:00 unknown", "Africa/Bangui", moment).is_open is None


def test_invalid_hours_carry_the_parsers_message():
    with pytest.raises(InvalidInputError) as caught:
        validate_opening_hours("Mo-Fx 8h", ("opening_hours",))
    problem = caught.value.problems[0]
    assert problem.location == ("opening_hours",)
    assert "expected" in problem.message


def test_time_zones_must_be_iana_names():
    assert validate_timezone("Africa/Bangui", ("timezone",)) == "Africa/Bangui"
    with pytest.raises(InvalidInputError, match="Unknown time zone"):
        validate_timezone("Mars/Olympus", ("timezone",))
    with pytest.raises(InvalidInputError):
        validate_timezone("../etc/passwd", ("timezone",))


@pytest.mark.parametrize(
    "expression",
    [
        HEALTH_CENTRE,
        "Mo-Fr 08:00-16:00; PH off",
        "Mo-Sa 08:00-20:00",
        "Tu,Th 09:00-15:00",
        "Mo-Fr 08:00-12:00 unknown; Sa 09:00-11:00",
        "Mo-Su 00:00-24:00",
    ],
)
def test_states_reused_across_moments_agree_with_the_parser(expression):
    # Searches come at ever-new moments and reuse a state while it holds: walking through
    # two weeks, forwards and back, every answer must be what the parser says at that moment.
    parser = OpeningHours(expression, timezone=BANGUI, max_interval_days=LOOKAHEAD_DAYS)
    start = datetime(2026, 11, 23, 0, 5, tzinfo=UTC)
    moments = [start + timedelta(minutes=37 * step) for step in range(550)]
    for moment in moments + moments[::-7]:
        state = open_state(expression, "Africa/Bangui", moment)
        local = moment.astimezone(BANGUI)
        if parser.is_unknown(local):
            assert state.is_open is None, moment
        else:
            assert state.is_open is parser.is_open(local), moment
            assert state.next_change_at == parser.next_change(local), moment
