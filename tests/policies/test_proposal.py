from datetime import timedelta, timezone

import pytest
from pydantic import ValidationError

from policies.proposal import Offer, content_hash, offer_fingerprint
from tests.policies.builders import SEND_AT, make_proposal, proposal_data


def test_content_hash_is_a_stable_sha256() -> None:
    digest = content_hash(make_proposal())
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert content_hash(make_proposal()) == digest


@pytest.mark.parametrize(
    "change",
    [
        {"customer_id": 1043},
        {"channel": "push"},
        {"send_at": SEND_AT + timedelta(minutes=1)},
        {"valid_until": SEND_AT + timedelta(days=8)},
        {"valid_from": SEND_AT - timedelta(hours=1)},
        {"offer": {"discount_pct": 11.0}},
        {"offer": {"skus": ["SKU-2"]}},
        {"offer": {"template_code": "WB11"}},
        {"message": {"body": "Here is 10% off your favourite snacks!"}},
        {"message": {"subject": "We still miss you"}},
        {"message": {"cta": "Shop now"}},
        {"message": {"tone": "premium"}},
    ],
)
def test_any_change_of_sent_content_changes_the_hash(change: dict) -> None:
    assert content_hash(make_proposal(**change)) != content_hash(make_proposal())


@pytest.mark.parametrize(
    "change",
    [
        {"rationale": "Another reason."},
        {"value": {"expected_value": 2.0}},
        {"estimated_cost": 5.0},
        {"use_case": "upsell"},
        {"sequence_step": 2},
    ],
)
def test_what_the_member_never_sees_does_not_change_the_hash(change: dict) -> None:
    assert content_hash(make_proposal(**change)) == content_hash(make_proposal())


def test_times_are_stored_in_utc_so_equal_instants_hash_the_same() -> None:
    plus_two = timezone(timedelta(hours=2))
    shifted = make_proposal(send_at=SEND_AT.astimezone(plus_two))
    assert shifted.send_at.utcoffset() == timedelta(0)
    assert content_hash(shifted) == content_hash(make_proposal())


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        make_proposal(send_at=SEND_AT.replace(tzinfo=None))


@pytest.mark.parametrize(
    "change",
    [
        {"surprise": 1},
        {"offer": {"surprise": 1}},
        {"message": {"surprise": 1}},
        {"value": {"surprise": 1}},
    ],
)
def test_unknown_fields_are_refused(change: dict) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        make_proposal(**change)


@pytest.mark.parametrize(
    "change",
    [
        {"customer_id": "1042"},
        {"customer_id": True},
        {"offer": {"discount_pct": "10"}},
        {"estimated_cost": "4.0"},
        {"sequence_step": 1.0},
    ],
)
def test_numbers_must_be_numbers(change: dict) -> None:
    with pytest.raises(ValidationError):
        make_proposal(**change)


@pytest.mark.parametrize(
    ("offer", "reason"),
    [
        ({"type": "percent_off"}, "needs discount_pct"),
        ({"type": "amount_off"}, "needs amount_off"),
        ({"type": "bonus_points", "discount_pct": 10.0, "bonus_points": 500}, "does not take discount_pct"),
        ({"type": "points_multiplier", "points_multiplier": 1.0}, "greater than 1"),
        ({"type": "free_shipping"}, "needs free_shipping"),
        ({"type": "gift"}, "needs gift_sku"),
        ({"type": "bundle", "skus": ["SKU-1"]}, "at least two skus"),
        ({"type": "none", "min_spend": 50.0}, "no minimum spend"),
        ({"type": "early_access", "free_shipping": True}, "does not take free_shipping"),
        ({"type": "percent_off", "discount_pct": 101.0}, "less than or equal to 100"),
        ({"type": "percent_off", "discount_pct": 10.0, "skus": ["SKU-1", "SKU-1"]}, "more than once"),
    ],
)
def test_offer_fields_must_fit_its_type(offer: dict, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Offer.model_validate(offer)


def test_price_offers_may_add_free_shipping() -> None:
    offer = Offer.model_validate({"type": "percent_off", "discount_pct": 10.0, "free_shipping": True})
    assert offer.free_shipping


def test_validity_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="valid_until must be after valid_from"):
        make_proposal(valid_until=SEND_AT)


def test_an_sms_has_no_subject() -> None:
    with pytest.raises(ValidationError, match="an SMS has no subject"):
        make_proposal(channel="sms")


def test_strings_are_bounded() -> None:
    with pytest.raises(ValidationError, match="at most 5000 characters"):
        make_proposal(message={"body": "x" * 5_001})
    with pytest.raises(ValidationError, match="at most 64 characters"):
        make_proposal(offer={"skus": ["S" * 65]})


def test_offer_fingerprint_names_the_incentive_not_its_wrapping() -> None:
    data = proposal_data()["offer"]
    base = Offer.model_validate({**data, "skus": ["SKU-1", "SKU-2"]})
    reordered = Offer.model_validate({**data, "skus": ["SKU-2", "SKU-1"], "template_code": "OTHER"})
    deeper = Offer.model_validate({**data, "skus": ["SKU-1", "SKU-2"], "discount_pct": 15.0})
    assert offer_fingerprint(base) == offer_fingerprint(reordered)
    assert offer_fingerprint(base) != offer_fingerprint(deeper)
