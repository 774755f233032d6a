"""Structural copy checks: what may appear is defined by the retailer, everything else is refused."""

import pytest

from policies.copy_checks import copy_problems
from policies.retailer import Retailer

RETAILER = Retailer(
    domains=("retailer.example",),
    emails=("help@retailer.example",),
    phones=("1300 555 010",),
    addresses=("100 George Street, Sydney",),
)


def kinds(text: str) -> set[str]:
    return {problem.kind for problem in copy_problems(text, RETAILER)}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("claim it at prize-site.com", "link"),
        ("https://r\u0435tailer.example/new", "link"),  # Cyrillic е: an IDN homograph
        ("retailer.example.offers-now.io", "link"),
        ("prize-site[dot]com", "link"),
        ("xn--rtailer-6ya.example", "link"),
        ("text WIN to 0400 000 000", "contact"),
        ("ring +44 20 7946 0958", "contact"),
        ("write to jane.doe@gmail.com", "contact"),
        ("prizes (at) mailbox dot com", "contact"),
        ("collect from 27 Smith Street, Fitzroy", "contact"),
        ("post it to PO Box 1234", "contact"),
        ("reply with your card PIN", "secret"),
        ("share the verification code we sent", "secret"),
        ("hi\u200b there", "hidden"),
    ],
)
def test_what_is_not_the_retailers_is_refused(text: str, kind: str) -> None:
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "shop at https://shop.retailer.example/new",
        "RETAILER.EXAMPLE",
        "questions to help@retailer.example",
        "call us on 1300 555 010",
        "visit us at 100 George Street, Sydney",
        "landed.Shop now",
        "order 123456",
        "our 2025-2026 collection",
        "e.g. jackets, i.e. layers",
        "weighs 0.4 kg, version 2.0",
        "enter code SPRING10",
        "sign in without a password",
        "street style",
        "from 10 March 2026, tees from $29.95",
        "Reply STOP to opt out",
    ],
)
def test_the_retailers_own_details_and_ordinary_text_pass(text: str) -> None:
    assert kinds(text) == set()


def test_a_policy_names_only_valid_domains_and_known_languages() -> None:
    with pytest.raises(ValueError, match="domain"):
        Retailer(domains=("not a domain",))
    with pytest.raises(ValueError, match="vocabulary"):
        Retailer(languages=("en", "xx"))
