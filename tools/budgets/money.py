"""Budget arithmetic in whole cents, so "exactly what is left" fits whatever float noise says."""

from decimal import ROUND_HALF_UP, Decimal


def cents(amount: float | Decimal) -> int:
    """Money as whole cents, rounded half up from its decimal spelling (never from binary float
    noise: 0.1 + 0.2 is 30 cents, not 30.000000000000004)."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fits_budget(cost: float | Decimal, amount: float | Decimal, spent: float | Decimal) -> bool:
    """Whether `cost` fits in what is left, to the cent: exactly the budget left fits."""
    return cents(spent) + cents(cost) <= cents(amount)


def remaining(amount: float, spent: float) -> float:
    """What is left to spend, in currency to the cent."""
    return round(float(amount) - float(spent), 2)
