"""An offer must not promise products the retailer cannot deliver."""

from collections.abc import Iterator

from policies.frame import Frame
from policies.rule_config import InventoryRule
from policies.rules.base import Hit, labels_by_row


def inventory_available(frame: Frame, config: InventoryRule) -> Iterator[Hit]:
    skus = frame.skus
    short = ~skus.known | (skus.available < config.min_available_units)
    for row, names in sorted(labels_by_row(skus.row, skus.sku, short).items()):
        yield Hit(row, {"skus": ", ".join(names), "min_units": config.min_available_units}, "offer.skus")
