"""The catalogue: offer templates (and the file a retailer writes them in), stock, bundles, and the
product or category a trigger names."""

from tools.catalogue.offers_file import OffersFile, OfferSpec, load_offers, read_offers
from tools.catalogue.read_models import (
    Anchor,
    BundleItem,
    Complements,
    complements_in_stock,
    inventory_status,
    offer_templates,
    rank_bundle,
    recommend_bundle,
    trigger_anchor,
)

__all__ = [
    "Anchor",
    "BundleItem",
    "Complements",
    "OfferSpec",
    "OffersFile",
    "complements_in_stock",
    "inventory_status",
    "load_offers",
    "offer_templates",
    "rank_bundle",
    "read_offers",
    "recommend_bundle",
    "trigger_anchor",
]
