"""Every per-member number, computed from a `History` in one pass: the single definition behind
profiles, model inputs and segment rules, for one member or all of them.

`FIELDS` documents each name; segment files may use any of them (and the predictions).
"""

from dataclasses import dataclass

import numpy as np

from tools.profiles.engagement import Engagement, activity, engagement, engagement_fields
from tools.profiles.history import CHANNELS, ORDER_CHANNELS, History
from tools.profiles.order_value import OrderValuePrior, expected_order_value, fit_order_value_prior
from tools.profiles.purchases import purchase_features
from tools.profiles.seasons import velocity
from tools.profiles.send_hour import HourPrior

FIELDS: dict[str, str] = {
    "tenure_days": "days since joining",
    "age": "age in years (from birth year)",
    "orders_total": "orders ever",
    "orders_30": "orders in the last 30 days",
    "orders_90": "orders in the last 90 days",
    "orders_365": "orders in the last 365 days",
    "shopping_days": "distinct days with an order, ever",
    "recency_days": "days since the last order (empty when none)",
    "first_order_days": "days since the first order",
    "spend_total": "money paid, ever",
    "spend_30": "money paid in the last 30 days",
    "spend_90": "money paid in the last 90 days",
    "spend_365": "money paid in the last 365 days",
    "spend_prev_90": "money paid 90 to 180 days ago",
    "spend_trend": "last 90 days against the 90 before, from -1 (stopped) through 0 (steady) to +1 (new)",
    "aov": "average order value, ever",
    "aov_365": "average order value, last 365 days",
    "expected_order_value": "the next order's likely value: the member's average shrunk toward the base's by how few orders it rests on",
    "margin_total": "gross margin after discounts, ever",
    "margin_365": "gross margin after discounts, last 365 days",
    "margin_rate": "gross margin share of spend at shelf price",
    "median_interval": "median days between shopping days",
    "mean_interval": "mean days between shopping days",
    "last_interval": "days between the last two shopping days",
    "interval_cv": "spread of the intervals (standard deviation / mean)",
    "overdue_ratio": "days since the last order / median interval",
    "items_per_order": "units per order",
    "single_item_share": "share of orders with a single unit",
    "discount_share": "share of spend (shelf price, last 365 days) on discounted or couponed lines",
    "coupon_order_share": "share of orders (last 365 days) using a coupon",
    "distinct_categories_365": "categories bought in the last 365 days",
    "top2_category_share": "share of spend (last 365 days) in the member's two biggest categories",
    "store_order_share": "share of orders (last 365 days) in store",
    "online_order_share": "share of orders (last 365 days) online",
    "app_order_share": "share of orders (last 365 days) in the app",
    "contacts_total": "marketing messages received",
    "contacts_90": "marketing messages received in the last 90 days",
    "engagements_90": "responses (open, click, redeem, order) in the last 90 days",
    "days_since_engagement": "days since the last response to a message",
    "offer_response_rate": "share of messages answered with a redemption or an order",
    "message_channels_engaged": "message channels the member has responded on",
    "digital_responses_365": "responses to e-mail, SMS, push or in-app messages in the last 365 days",
    "channels_active": "touchpoints used in the last year: order channels plus message channels responded on",
    "events_30": "behavioural events in the last 30 days",
    "digital_events_90": "online and app events in the last 90 days",
    "app_events_90": "app opens and in-app or push events in the last 90 days",
    "store_visits_90": "store visits recorded in the last 90 days",
    "cart_adds_30": "cart additions in the last 30 days",
    "views_30": "product views in the last 30 days",
    "season_peak_ratio": "busiest season's purchase velocity over the member's average",
    **{f"{c}_sends": f"{c} messages received" for c in CHANNELS},
    **{f"{c}_open_rate": f"share of {c} messages opened (or answered)" for c in CHANNELS},
    **{f"{c}_click_rate": f"share of {c} messages clicked (or redeemed, or ordered from)" for c in CHANNELS},
    **{f"{c}_consent": f"1 when the member consents to {c}" for c in CHANNELS},
}

# Inputs of the member-level models: behaviour only (no tier or points, which have no history).
MODEL_INPUTS = (
    "tenure_days",
    "age",
    "orders_total",
    "orders_30",
    "orders_90",
    "orders_365",
    "shopping_days",
    "recency_days",
    "first_order_days",
    "spend_30",
    "spend_90",
    "spend_365",
    "spend_total",
    "spend_trend",
    "aov",
    "median_interval",
    "mean_interval",
    "last_interval",
    "interval_cv",
    "overdue_ratio",
    "items_per_order",
    "discount_share",
    "distinct_categories_365",
    "top2_category_share",
    "contacts_90",
    "engagements_90",
    "days_since_engagement",
    "offer_response_rate",
    "events_30",
    "digital_events_90",
    "cart_adds_30",
    "season_peak_ratio",
)


@dataclass(frozen=True)
class MemberFeatures:
    fields: dict[str, np.ndarray]  # name -> one value per member (NaN where undefined)
    engagement: Engagement
    seasonality: np.ndarray  # members x seasons, orders per 30 days

    def matrix(self, names: tuple[str, ...]) -> np.ndarray:
        return np.column_stack([self.fields[name] for name in names]).astype(float)


def member_features(
    history: History, hour_prior: HourPrior | None = None, order_values: OrderValuePrior | None = None
) -> MemberFeatures:
    """`hour_prior` and `order_values`: what members' hours and order values are shrunk toward,
    fitted with the models; by default, fitted on `history` itself."""
    fields = purchase_features(history)
    prior = order_values or fit_order_value_prior(
        history.orders.member, history.orders.total, len(history.members)
    )
    # over the same orders and totals as `aov` (purchase_features)
    fields["expected_order_value"] = expected_order_value(
        fields["spend_total"], fields["orders_total"], prior
    )
    found = engagement(history, hour_prior)
    fields.update(engagement_fields(history, found))
    fields.update(activity(history))
    seasonality, season_fields = velocity(history)
    fields.update(season_fields)
    members = history.members
    fields["tenure_days"] = history.as_of - members.joined
    fields["age"] = _year(history.as_of) - members.birth_year
    order_channels_used = sum((fields[f"{c}_order_share"] > 0).astype(float) for c in ORDER_CHANNELS)
    fields["channels_active"] = order_channels_used + fields["message_channels_engaged"]
    return MemberFeatures(fields=fields, engagement=found, seasonality=seasonality)


def _year(days: float) -> float:
    return float(np.datetime64(int(np.floor(days)), "D").astype("datetime64[Y]").astype(np.int64) + 1970)
