"""The judgement on paraphrase: surveillance and sensitive inferences without the listed words, and
the ordinary copy that shares their words (the false rejects the vocabularies once made)."""

import pytest

from policies.judgement import JudgementId, judge
from tests.policies.builders import make_proposal


def found(body: str | None = None, rationale: str | None = None) -> set[JudgementId]:
    changes: dict = {}
    if body is not None:
        changes["message"] = {"body": body}
    if rationale is not None:
        changes["rationale"] = rationale
    return {f.judgement_id for f in judge(make_proposal(**changes))}


@pytest.mark.parametrize(
    "body",
    [
        "You popped into our shop around 10:42, Sam.",
        "The door counter logged you three times last week.",
        "Thanks for dropping in at 7.15pm, Sam!",
        "You were spotted near our running wall on Sunday.",
        "You lingered by the treadmills for ages on Sunday.",
        "Our records show you in the Chadstone store on Friday.",
    ],
)
def test_surveillance_without_the_listed_verbs(body: str) -> None:
    assert JudgementId.SURVEILLANCE in found(body)


@pytest.mark.parametrize(
    ("body", "rationale"),
    [
        ("With a little one on the way, comfy layers matter.", None),
        ("Keep your blood sugar steady on long runs.", None),
        ("Sorry to hear your dad passed.", None),
        ("Missed a few repayments? Treat yourself.", None),
        ("Stay comfortable while you're fasting this month.", None),
        (None, "Client endetté, difficultés financières probables."),
        (None, "Bought a pregnancy test last month; likely expecting."),
    ],
)
def test_sensitive_inferences_without_the_listed_words(body: str | None, rationale: str | None) -> None:
    assert JudgementId.SENSITIVE_INFERENCE in found(body, rationale)


@pytest.mark.parametrize(
    "body",
    [
        "Forget the rules of layering: this range works under anything.",
        "Lifting gloves for your weight training are back.",
        "You are now one of our Gold members!",
        "Our doors open at 9am on Saturday; see you there.",
        "Earn points 3 times faster on the new range.",
        "Baby blue and mint are this season's colours.",
        "The fast delivery is free this week.",
    ],
)
def test_ordinary_copy_sharing_their_words_passes(body: str) -> None:
    assert (
        found(body) & {JudgementId.SURVEILLANCE, JudgementId.SENSITIVE_INFERENCE, JudgementId.INJECTION}
        == set()
    )


def test_a_sensitive_topic_is_allowed_when_the_member_opted_in() -> None:
    proposal = make_proposal(message={"body": "Baby club: nappies and formula picks for your little one."})
    assert JudgementId.SENSITIVE_INFERENCE in {f.judgement_id for f in judge(proposal)}
    assert JudgementId.SENSITIVE_INFERENCE not in {
        f.judgement_id for f in judge(proposal, opted_in=frozenset({"baby_club"}))
    }
