"""The retailer's contact calendar over the window: newsletters, promotions, SMS and push blasts,
reactivation sends, bundle upsells, and responses to competitor promotions.

Each campaign is one send on one day to one audience; `tools.world.contacts` turns it into
per-member contacts. Cart reminders are triggered per abandoned cart and live there too.
"""

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from policies.vocabulary import UseCase
from tools.world.catalogue import Catalogue
from tools.world.market import CompetitorSignals
from tools.world.members import MESSAGE_CHANNELS
from tools.world.population import ContactProgramme
from tools.world.taxonomy import SEASONS
from tools.world.timeline import DAY, Month, Timeline

EMAIL, SMS, PUSH = (MESSAGE_CHANNELS.index(c) for c in ("email", "sms", "push"))
SMS_OPT_OUT = "Reply STOP to opt out"


class AudienceKind(StrEnum):
    ALL = "all"  # everyone who consented to the channel
    FANS = "fans"  # members with a taste for the campaign's department
    LAPSED = "lapsed"  # members who have drifted away


@dataclass(frozen=True)
class Campaign:
    name: str
    channel: int  # index into MESSAGE_CHANNELS
    day: int
    hour: int  # local send hour before per-member spread
    audience: AudienceKind
    reach: float  # share of the eligible audience that gets it
    offer: str  # offer template code
    use_case: str | None = None
    department: str | None = None
    category: int = -1  # focus category, or -1
    subject: str | None = None
    body: str | None = None


def _department_by_season(catalogue: Catalogue, season: str, rng: np.random.Generator) -> str:
    departments = sorted(set(catalogue.category_department))
    in_season = np.array(
        [
            sum(
                1
                for d, s in zip(catalogue.category_department, catalogue.category_season, strict=True)
                if d == dep and SEASONS[s] == season
            )
            for dep in departments
        ],
        dtype=float,
    )
    weight = 1 + 3 * in_season
    return departments[rng.choice(len(departments), p=weight / weight.sum())]


def _spaced(period: Month, k: int, n: int, offset: float) -> int:
    """Day of the k-th of n sends spread evenly over the period's calendar month: in a partial
    first or last month it may fall outside the window (`-1`), and that send is not made."""
    day = period.month_start + min(int((k + offset) * period.month_days / n), period.month_days - 1)
    return day if period.first_day <= day < period.stop_day else -1


def plan_campaigns(
    spec: ContactProgramme,
    clock: Timeline,
    catalogue: Catalogue,
    signals: CompetitorSignals,
    rng: np.random.Generator,
) -> list[Campaign]:
    campaigns: list[Campaign] = []
    last_periods = len(clock.periods) - 2
    for p, period in enumerate(clock.periods):
        tag = f"{clock.first.year + (clock.first.month - 1 + p) // 12}-{period.month:02d}"
        season = period.season

        for k in range(spec.newsletters_per_month):
            early = p >= last_periods and k == 0
            campaigns.append(
                Campaign(
                    f"newsletter-{tag}-{k + 1}",
                    EMAIL,
                    _spaced(period, k, spec.newsletters_per_month, 0.5),
                    spec.send_hour,
                    AudienceKind.ALL,
                    spec.newsletter_reach,
                    "EARLYACCESS" if early else "NEWIN",
                    subject="Early access: the new collection is yours first"
                    if early
                    else f"The {season} edit: new this week",
                )
            )
        for k in range(spec.promo_emails_per_month):
            dep = _department_by_season(catalogue, season, rng)
            offer = str(rng.choice(["PCT15", "AMT20", "PCT20", "GIFT80"]))
            campaigns.append(
                Campaign(
                    f"promo-{dep}-{tag}-{k + 1}",
                    EMAIL,
                    _spaced(period, k, spec.promo_emails_per_month, 0.3),
                    spec.send_hour,
                    AudienceKind.FANS,
                    1.0,
                    offer,
                    department=dep,
                    subject=f"{catalogue.department_name[dep]}: an offer picked for you",
                )
            )
        for k in range(spec.sms_per_month):
            offer = str(rng.choice(["PCT10", "PCT20", "AMT10"]))
            campaigns.append(
                Campaign(
                    f"sms-{tag}-{k + 1}",
                    SMS,
                    _spaced(period, k, spec.sms_per_month, 0.6),
                    spec.send_hour + 2,
                    AudienceKind.ALL,
                    spec.sms_reach,
                    offer,
                    body=f"Harbour & Co: your member offer {offer} is live this week. {SMS_OPT_OUT}",
                )
            )
        for k in range(spec.push_per_month):
            offer = str(rng.choice(["DOUBLEPTS", "NEWIN", "BONUS500", "FREESHIP"]))
            campaigns.append(
                Campaign(
                    f"push-{tag}-{k + 1}",
                    PUSH,
                    _spaced(period, k, spec.push_per_month, 0.8),
                    spec.send_hour + 8,
                    AudienceKind.ALL,
                    spec.push_reach,
                    offer,
                    body="Something new for members - tap to see",
                )
            )
        campaigns.append(
            Campaign(
                f"winback-{tag}",
                EMAIL,
                _spaced(period, 0, 1, 0.4),
                spec.send_hour,
                AudienceKind.LAPSED,
                spec.reactivation_reach,
                "PCT15" if p % 2 else "AMT10",
                use_case=UseCase.REACTIVATION.value,
                subject="We miss you - here's something to welcome you back",
            )
        )
        if spec.bundle_every_months and p % spec.bundle_every_months == 0:
            dep = _department_by_season(catalogue, season, rng)
            campaigns.append(
                Campaign(
                    f"bundle-{dep}-{tag}",
                    EMAIL,
                    _spaced(period, 0, 1, 0.7),
                    spec.send_hour,
                    AudienceKind.FANS,
                    1.0,
                    "BUNDLE15",
                    use_case=UseCase.UPSELL.value,
                    department=dep,
                    subject=f"Better together: {catalogue.department_name[dep]} bundles",
                )
            )

    respond = rng.random(signals.count) < spec.competitive_response_share
    for s in np.flatnonzero(respond & (signals.starts_at >= 0) & (signals.starts_at < clock.span - DAY)):
        category = int(signals.category[s])
        depth = min(25, max(10, int(round(signals.discount_pct[s] / 5) * 5)))
        channel = PUSH if rng.random() < 0.5 else EMAIL
        campaigns.append(
            Campaign(
                f"compete-{s + 1}",
                channel,
                int(signals.starts_at[s] // DAY) + 1,
                spec.send_hour,
                AudienceKind.FANS,
                1.0,
                f"PCT{depth}",
                use_case=UseCase.COMPETITIVE_RESPONSE.value,
                department=catalogue.category_department[category],
                category=category,
                subject=f"{catalogue.category_name[category]}: our best price for members"
                if channel == EMAIL
                else None,
                body=f"Member price on {catalogue.category_name[category].lower()} - tap to shop"
                if channel == PUSH
                else None,
            )
        )
    return [c for c in campaigns if 0 <= c.day < clock.days]
