"""A member's favourite category is the one bought on the most of their shopping days: lasting
taste, not the latest purchase; a tie goes to the one bought more recently, then by name."""

import numpy as np

from tools.profiles.pairs import HALF_LIVES, Pairs
from tools.profiles.predictions import PredictionArrays, RankedCategories, favourite_categories


def pairs(member: list[int], category: list[int], days: list[int], recency: list[float]) -> Pairs:
    n = len(member)
    age = np.array(recency, dtype=float)
    return Pairs(
        member=np.array(member),
        category=np.array(category),
        days_bought=np.array(days),
        recency=age,
        median_interval=np.full(n, np.nan),
        mean_interval=np.full(n, np.nan),
        last_interval=np.full(n, np.nan),
        interval_cv=np.full(n, np.nan),
        weighted=np.exp(-age[:, None] / np.array(HALF_LIVES)),  # one day's weight, for the test
        spend=np.ones(n),
        share_of_days=np.ones(n),
    )


def test_the_favourite_is_the_most_bought_category_ties_to_the_most_recent() -> None:
    found = pairs(
        member=[0, 0, 0, 1, 1, 3],
        category=[2, 0, 1, 1, 2, 0],
        days=[5, 2, 5, 3, 3, 1],
        recency=[100.0, 1.0, 10.0, 40.0, 5.0, 3.0],
    )
    alphabetical = np.array([0, 1, 2])
    # member 0: categories 2 and 1 both on five days, 1 more recently (the category bought last,
    # 0, only twice); member 1: a tie broken by recency; member 2 bought nothing; member 3: one
    assert favourite_categories(found, alphabetical, 4).tolist() == [1, 2, -1, 0]


def test_no_purchases_no_favourite() -> None:
    assert favourite_categories(pairs([], [], [], []), np.array([0]), 2).tolist() == [-1, -1]


def test_a_message_is_about_the_favourite_else_the_top_affinity_else_nothing() -> None:
    def anchors(favourite: list[int], offsets: list[int], category: list[int]) -> list[int]:
        ranked = RankedCategories(
            offsets=np.array(offsets),
            category=np.array(category, dtype=np.int64),
            score=np.ones(len(category)),
        )
        n = len(favourite)
        arrays = PredictionArrays(np.zeros(n), np.zeros(n), np.zeros(n), ranked, None, np.array(favourite))  # type: ignore[arg-type]
        return arrays.anchor(np.arange(n)).tolist()

    assert anchors([4, -1, -1], [0, 2, 3, 3], [7, 8, 9]) == [4, 9, -1]
    # a base where nobody has bought anything yet (a retailer just onboarded): no anchor, no error
    assert anchors([-1, -1], [0, 0, 0], []) == [-1, -1]
