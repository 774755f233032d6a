"""Tables shaped like the Complete Journey package's, small enough to read at a glance."""

import pandas as pd


def tables() -> dict[str, pd.DataFrame]:
    ts = pd.to_datetime
    transactions = pd.DataFrame(
        {
            "household_id": [1, 1, 1, 2, 2, 2, 3, 1, 2],
            "store_id": [10] * 9,
            "basket_id": [100, 100, 101, 200, 200, 201, 300, 102, 202],
            "product_id": [11, 12, 13, 11, 99, 14, 11, 12, 11],
            "quantity": [1, 2, 1, 0, 1, 50_000, 3, 1, 2],
            "sales_value": [2.0, 3.0, 5.0, 2.0, 1.0, 20.0, 6.0, 1.5, 4.0],
            "retail_disc": [0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.0, 0.0],
            "coupon_disc": [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            "coupon_match_disc": [0.0] * 9,
            "week": [1] * 9,
            "transaction_timestamp": ts(
                [
                    "2017-01-02 10:00",
                    "2017-01-02 10:00",
                    "2017-02-01 11:00",
                    "2017-01-05 09:00",
                    "2017-01-05 09:00",
                    "2017-01-20 12:00",
                    "2017-03-01 08:00",
                    "2017-05-01 10:00",
                    "2017-05-03 10:00",
                ]
            ),
        }
    )
    products = pd.DataFrame(
        {
            "product_id": [11, 12, 13, 14, 15],
            "manufacturer_id": [1] * 5,
            "department": ["GROCERY", "GROCERY", "PRODUCE", "FUEL", "GROCERY"],
            "brand": ["National", "Private", "National", "Private", "National"],
            "product_category": ["BREAD", "MILK", None, "GASOLINE", "TEA"],
            "product_type": ["BREAD: WHITE", "MILK: 2%", None, "GAS", "TEA: BAGS"],
            "package_size": ["20 OZ", "1 GA", None, None, None],
        }
    )
    demographics = pd.DataFrame(
        {
            "household_id": [1],
            "age": ["45-54"],
            "income": ["50-74K"],
            "home_ownership": ["Homeowner"],
            "marital_status": [None],
            "household_size": ["5+"],
            "household_comp": ["2 Adults Kids"],
            "kids_count": ["3+"],
        }
    )
    descriptions = pd.DataFrame(
        {
            "campaign_id": [1, 2],
            "campaign_type": ["Type A", "Type B"],
            "start_date": ts(["2017-01-01", "2017-04-20"]),
            "end_date": ts(["2017-02-01", "2017-05-20"]),
        }
    )
    campaigns = pd.DataFrame({"campaign_id": [1, 1, 2], "household_id": [1, 2, 1]})
    redemptions = pd.DataFrame(
        {
            "household_id": [1, 3],
            "coupon_upc": [555, 777],
            "campaign_id": [1, 1],
            "redemption_date": ts(["2017-01-02", "2017-03-01"]),
        }
    )
    return {
        "transactions": transactions,
        "products": products,
        "demographics": demographics,
        "campaigns": campaigns,
        "campaign_descriptions": descriptions,
        "coupon_redemptions": redemptions,
    }
