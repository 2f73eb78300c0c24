"""The pure HSDS mapping: opening hours to weekly schedules, offsets, derived ids."""

from __future__ import annotations

import uuid

import pytest

from referral_api.interop.hsds import WeeklyOpening, hsds_id, utc_offset_hours, weekly_openings

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param("24/7", [WeeklyOpening((*WEEKDAYS, "SA", "SU"), "00:00", "23:59")], id="24/7"),
        pytest.param("Mo-Fr 08:00-16:00", [WeeklyOpening(WEEKDAYS, "08:00", "16:00")], id="range"),
        pytest.param(
            "Mo-Fr 07:30-15:30; Sa 08:00-12:00; PH off",
            [WeeklyOpening(WEEKDAYS, "07:30", "15:30"), WeeklyOpening(("SA",), "08:00", "12:00")],
            id="holidays-said-in-description",
        ),
        pytest.param(
            "Tu,Th 09:00-12:00,14:00-17:00",
            [
                WeeklyOpening(("TU", "TH"), "09:00", "12:00"),
                WeeklyOpening(("TU", "TH"), "14:00", "17:00"),
            ],
            id="two-spans",
        ),
        pytest.param(
            "Sa-Mo 10:00-24:00",
            [WeeklyOpening(("SA", "SU", "MO"), "10:00", "23:59")],
            id="wrapping-week-to-midnight",
        ),
        pytest.param("Jan-Mar Mo 08:00-12:00", None, id="months-not-expressible"),
        pytest.param('Mo 08:00-12:00 "on call"', None, id="comment-not-expressible"),
        pytest.param("PH off", None, id="nothing-weekly"),
        pytest.param(None, None, id="unknown"),
    ],
)
def test_opening_hours_become_weekly_openings_where_expressible(expression, expected):
    assert weekly_openings(expression) == expected


def test_schedule_timezones_are_numbers_of_hours():
    assert utc_offset_hours("Africa/Bangui") == 1
    assert utc_offset_hours("UTC") == 0
    assert utc_offset_hours("Asia/Kolkata") == 5.5


def test_ids_are_uuid5_of_what_they_name_and_never_change():
    one = hsds_id("service", "9262887b-9646-54c2-a7e8-64aecbba9052", "medical.pep")
    assert uuid.UUID(one).version == 5
    assert one == hsds_id("service", "9262887b-9646-54c2-a7e8-64aecbba9052", "medical.pep")
    assert one != hsds_id("service", "9262887b-9646-54c2-a7e8-64aecbba9052", "medical.ec")
    # Pinned: a change of namespace or key would break every consumer's links.
    assert one == "ffd16eb7-0981-5771-b524-fdb051af3c08"
