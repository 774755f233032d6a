from datetime import datetime

import pytest
from pydantic import ValidationError

from tests.policies.builders import make_context


def test_time_zone_must_be_a_known_iana_name() -> None:
    assert make_context(time_zone="Asia/Kolkata").time_zone == "Asia/Kolkata"
    with pytest.raises(ValidationError, match="unknown IANA time zone 'Mars/Olympus'"):
        make_context(time_zone="Mars/Olympus")


def test_now_must_carry_a_time_zone() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        make_context(now=datetime(2026, 3, 10, 15, 0))


def test_basket_margin_cannot_exceed_its_value() -> None:
    with pytest.raises(ValidationError, match="cannot exceed"):
        make_context(expected_basket_margin=81.0)


def test_contacts_must_carry_an_offer_fingerprint() -> None:
    with pytest.raises(ValidationError, match="offer_fingerprint"):
        make_context(
            recent_contacts=[{"channel": "sms", "sent_at": "2026-03-09T10:00:00Z", "use_case": "upsell"}]
        )
