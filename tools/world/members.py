"""Members as the retailer sees them: identity, demographics, where they live, consents, quiet hours.

Everything here is observable and lands in `customers` and `channel_consents`; what drives their
behaviour is hidden in `tools.world.traits`.
"""

from dataclasses import dataclass

import numpy as np

from tools.world.geography import REGIONS, Region
from tools.world.names import EMAIL_DOMAINS, FIRST_NAMES, INJECTED_FIRST_NAMES, INJECTIONS, LAST_NAMES, NOTES
from tools.world.population import MembersSpec
from tools.world.timeline import DAY, Timeline

# Channels a member can grant or withdraw consent for, in the order of every (N, 3) array here.
MESSAGE_CHANNELS = ("email", "sms", "push")
UNDISCLOSED = "undisclosed"
CUSTOM_QUIET_HOURS = ((22, 7), (20, 9), (23, 8), (21, 10), (22, 9))
# ACMA reserves 0491 570 006-159 for fiction: no demo can ever text a real person.
FICTIONAL_MOBILES = np.arange(6, 160)
NEVER = np.iinfo(np.int64).max  # "no such instant", for times that may also be negative (before the window)


@dataclass(frozen=True)
class Members:
    regions: list[Region]
    region: np.ndarray  # index into `regions`
    joined_at: np.ndarray  # seconds since the window start; negative for members who joined before it
    first_name: np.ndarray  # object arrays of str (or None where nullable)
    last_name: np.ndarray
    email: np.ndarray
    phone: np.ndarray
    birth_year: np.ndarray
    age: np.ndarray
    gender: np.ndarray
    income_band: np.ndarray
    income_rank: np.ndarray  # -1 lowest disclosed band .. +1 highest; 0 when undisclosed
    household_size: np.ndarray
    postcode: np.ndarray
    quiet_start: np.ndarray
    quiet_end: np.ndarray
    notes: np.ndarray
    injected: np.ndarray  # carries a prompt-injection attempt in first_name or notes
    data_synced_at: np.ndarray  # seconds since window start, or NEVER: fed continuously (NULL)
    app_user: np.ndarray
    consent: np.ndarray  # (N, 3) granted at sign-up, per MESSAGE_CHANNELS
    opted_out_at: np.ndarray  # (N, 3) seconds of an opt-out made outside any message, or NEVER

    @property
    def count(self) -> int:
        return len(self.region)


def _pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    return np.array(keys, dtype=object)[rng.choice(len(keys), n, p=p / p.sum())]


def build_members(spec: MembersSpec, n: int, rng: np.random.Generator, clock: Timeline) -> Members:
    regions = [REGIONS[k] for k in spec.regions]
    weights = np.array(list(spec.regions.values()))
    region = rng.choice(len(regions), n, p=weights / weights.sum()).astype(np.int8)

    new = rng.random(n) < spec.new_member_share
    tenure = rng.uniform(0, spec.tenure_years_max * 365 * DAY, n).astype(np.int64)
    joined = np.where(new, rng.integers(0, clock.span - DAY, n), -1 - tenure)

    first = np.array(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), n)]
    last = np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), n)]
    domains = np.array(EMAIL_DOMAINS, dtype=object)[rng.integers(0, len(EMAIL_DOMAINS), n)]
    email = np.array(
        [
            f"{f}.{s}.{i + 1}@{d}".lower().replace(" ", "").replace("'", "")
            for i, (f, s, d) in enumerate(zip(first, last, domains, strict=True))
        ],
        dtype=object,
    )

    age = np.round(rng.triangular(spec.age.low, spec.age_mode, spec.age.high, n)).astype(np.int16)
    gender = _pick(rng, spec.gender, n)
    gender[gender == UNDISCLOSED] = None
    bands = [b for b in spec.income_bands if b != UNDISCLOSED]
    income = _pick(rng, spec.income_bands, n)
    rank_of = {b: (2 * i / max(len(bands) - 1, 1)) - 1 for i, b in enumerate(bands)}
    income_rank = np.array([rank_of.get(b, 0.0) for b in income])
    income[income == UNDISCLOSED] = None
    household = np.clip(1 + rng.poisson(spec.household_size_mean - 1, n), 1, 8).astype(np.int16)

    postcode = np.empty(n, dtype=object)
    for r, reg in enumerate(regions):
        rows = np.flatnonzero(region == r)
        spans = np.array([w for _, _, w in reg.postcodes])
        pick = rng.choice(len(spans), len(rows), p=spans / spans.sum())
        lows = np.array([lo for lo, _, _ in reg.postcodes])[pick]
        highs = np.array([hi for _, hi, _ in reg.postcodes])[pick]
        postcode[rows] = [f"{code:04d}" for code in rng.integers(lows, highs + 1)]

    has_phone = (rng.random(n) < spec.phone_share) & np.array([regions[r].locale == "en-AU" for r in region])
    phone = np.full(n, None, dtype=object)
    phone[has_phone] = [f"+61491570{x:03d}" for x in rng.choice(FICTIONAL_MOBILES, int(has_phone.sum()))]

    youth = 1.4 - 0.8 * (age - spec.age.low) / (spec.age.high - spec.age.low)
    app_user = rng.random(n) < np.clip(spec.app_user_share * youth, 0, 1)
    consent = np.column_stack(
        [
            rng.random(n) < spec.email_consent,
            has_phone & (rng.random(n) < spec.sms_consent),
            app_user & (rng.random(n) < spec.push_consent),
        ]
    )
    opt_out = consent & (rng.random((n, 3)) < spec.prior_opt_out_share)
    opt_out_time = joined[:, None] + rng.random((n, 3)) * (clock.span - joined[:, None])
    opted_out_at = np.where(opt_out, opt_out_time.astype(np.int64), NEVER)

    quiet_start = np.full(n, 21, dtype=np.int16)
    quiet_end = np.full(n, 8, dtype=np.int16)
    custom = rng.random(n) < spec.custom_quiet_hours_share
    choice = np.array(CUSTOM_QUIET_HOURS)[rng.integers(0, len(CUSTOM_QUIET_HOURS), n)]
    quiet_start[custom], quiet_end[custom] = choice[custom, 0], choice[custom, 1]

    notes = np.full(n, None, dtype=object)
    noted = rng.random(n) < spec.notes_share
    notes[noted] = np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), int(noted.sum()))]
    # An exact count (at least one when the share is positive), so every world has some to catch.
    injected = np.zeros(n, dtype=bool)
    injected[rng.choice(n, min(n, int(np.ceil(spec.injection_share * n))), replace=False)] = True
    in_name = injected & (rng.random(n) < 0.25)
    notes[injected & ~in_name] = np.array(INJECTIONS, dtype=object)[
        rng.integers(0, len(INJECTIONS), int((injected & ~in_name).sum()))
    ]
    first[in_name] = np.array(INJECTED_FIRST_NAMES, dtype=object)[
        rng.integers(0, len(INJECTED_FIRST_NAMES), int(in_name.sum()))
    ]

    stale = rng.random(n) < spec.stale_sync_share
    synced = np.where(stale, clock.span - rng.integers(20 * DAY, 120 * DAY, n), NEVER)
    synced = np.where(synced < joined, NEVER, synced)

    return Members(
        regions=regions,
        region=region,
        joined_at=joined,
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        birth_year=(clock.last.year - age).astype(np.int16),
        age=age,
        gender=gender,
        income_band=income,
        income_rank=income_rank,
        household_size=household,
        postcode=postcode,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        notes=notes,
        injected=injected,
        data_synced_at=synced,
        app_user=app_user,
        consent=consent,
        opted_out_at=opted_out_at,
    )
