"""Next best action (DESIGN §5): which use cases apply to a member, the levers each may use, the
fitted response model behind an action's value, when to send, scoring for one member or a whole
campaign, exploration, the learning loop, calibration and off-policy estimates."""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.nba.calibration import Calibration, calibrate
    from tools.nba.choice import choice_probabilities, take_rows
    from tools.nba.eligibility import within_rhythm
    from tools.nba.exploration import DEFAULT_EXPLORATION_SHARE, exploration_stream
    from tools.nba.learning import LiftCache, ResponseCache, learned_lift
    from tools.nba.member_scoring import (
        DEFAULT_BASKET,
        DEFAULT_MARGIN_RATE,
        DEFAULT_PRICE_SENSITIVITY,
        HORIZON_DAYS,
        MomentContext,
        buy_chance,
        score_member,
        validity_days,
    )
    from tools.nba.offline import (
        BOOTSTRAP,
        Estimate,
        LoggedDecision,
        PolicyName,
        evaluate,
        known_policy,
        logged_decisions,
        predicted,
        served_by,
        target_policy,
    )
    from tools.nba.prescreen import Screen, anchor_intent, frame_rows, screen
    from tools.nba.response import APP_NATIVE_IN_APP_REACH, REACH_PRIOR, LearnedLift, ResponsePriors
    from tools.nba.response_fit import ResponseRates, fit_response
    from tools.nba.rival_pull import RivalPull, estimate_rival_pull
    from tools.nba.scorer import CHANNELS, MAX_CANDIDATES, Candidate, MemberBatch, rationale, score
    from tools.nba.timing import send_time, valid_until

__all__ = [
    "APP_NATIVE_IN_APP_REACH",
    "BOOTSTRAP",
    "CHANNELS",
    "MAX_CANDIDATES",
    "Calibration",
    "Candidate",
    "DEFAULT_BASKET",
    "DEFAULT_EXPLORATION_SHARE",
    "DEFAULT_MARGIN_RATE",
    "DEFAULT_PRICE_SENSITIVITY",
    "Estimate",
    "HORIZON_DAYS",
    "LearnedLift",
    "LiftCache",
    "LoggedDecision",
    "MemberBatch",
    "MomentContext",
    "REACH_PRIOR",
    "ResponseCache",
    "ResponsePriors",
    "ResponseRates",
    "RivalPull",
    "Screen",
    "anchor_intent",
    "buy_chance",
    "calibrate",
    "choice_probabilities",
    "estimate_rival_pull",
    "evaluate",
    "exploration_stream",
    "fit_response",
    "frame_rows",
    "learned_lift",
    "logged_decisions",
    "predicted",
    "rationale",
    "score",
    "score_member",
    "screen",
    "send_time",
    "take_rows",
    "PolicyName",
    "known_policy",
    "served_by",
    "target_policy",
    "valid_until",
    "validity_days",
    "within_rhythm",
]

__getattr__ = lazy_exports(__name__)
