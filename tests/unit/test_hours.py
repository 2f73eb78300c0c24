from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from referral_api.domain.errors import InvalidInputError
from referral_api.domain.hours import (
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
