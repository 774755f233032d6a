"""Segment files: the shipped one covers the issue's list; bad files fail with the reason."""

from pathlib import Path

import pytest

from tools.errors import InvalidInput
from tools.profiles.frame import SEGMENT_FIELDS
from tools.segments.definitions import DEFAULT_PATH, load_segments

REQUIRED = {
    "behavioural": {
        "high_frequency_high_value",
        "low_frequency_high_value",
        "high_frequency_low_value",
        "seasonal",
        "dormant_recoverable",
        "at_risk",
        "new_member",
    },
    "preference": {
        "category_specialist",
        "generalist",
        "discount_seeker",
        "full_price_buyer",
        "bundle_buyer",
        "single_item_buyer",
    },
    "channel": {"email_first", "sms_responder", "app_native", "in_store_only", "omnichannel"},
    "lifecycle": {"acquisition", "retention", "expansion", "reactivation", "churn_prevention"},
}


def test_shipped_file_has_every_segment_of_the_issue() -> None:
    book = load_segments(SEGMENT_FIELDS)
    for family, ids in REQUIRED.items():
        assert ids <= {s.id for s in book.segments if s.family == family}, family
    assert set(book.lifecycle_order) == REQUIRED["lifecycle"]


def test_policy_segment_ids_exist() -> None:
    # policies/default.toml caps discounts for these segments by id
    ids = set(load_segments(SEGMENT_FIELDS).ids)
    assert {"discount_seeker", "full_price_buyer", "new_member"} <= ids


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace('field = "orders_365"', 'field = "orders_999"', 1),
            "unknown fields: orders_999",
        ),
        (lambda t: t.replace('id = "seasonal"', 'id = "at_risk"'), "segment ids repeat: at_risk"),
        (lambda t: t.replace('op = ">=", value = 1.8', 'op = "~", value = 1.8'), "segments.3.all.0.op"),
        (
            lambda t: t.replace("value = 1.8", "value = 1.8, quantile = 0.5"),
            "exactly one of value or quantile",
        ),
        (
            lambda t: t.replace('lifecycle_order = ["acquisition"', 'lifecycle_order = ["seasonal"'),
            "not lifecycle segments: seasonal",
        ),
        (lambda t: t + "\n[[segments\n", "not valid TOML"),
    ],
)
def test_bad_files_are_refused_with_the_reason(tmp_path: Path, edit, message: str) -> None:
    path = tmp_path / "segments.toml"
    path.write_text(edit(DEFAULT_PATH.read_text()))
    with pytest.raises(InvalidInput, match=message):
        load_segments(SEGMENT_FIELDS, path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read segment file"):
        load_segments(SEGMENT_FIELDS, tmp_path / "nope.toml")
