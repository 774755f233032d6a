"""Every table, importable from one place (importing it registers all tables on `Base.metadata`)."""

import tools.storage.runtime  # noqa: F401 - registers the runtime's tables (trigger queue, leases)
from tools.storage.base import Base
from tools.storage.catalog import Category, CategoryComplement, Inventory, Product
from tools.storage.commerce import Order, OrderLine
from tools.storage.customers import ChannelConsent, Customer, LoyaltyAccount
from tools.storage.decisions import (
    Budget,
    DecisionLogEntry,
    ExperimentAssignment,
    GuardVerdict,
    OfferTemplate,
    Proposal,
    ReviewItem,
    SchemaInfo,
)
from tools.storage.engagement import BehaviouralEvent, CompetitorSignal, Contact, Outcome

__all__ = [
    "Base",
    "BehaviouralEvent",
    "Budget",
    "Category",
    "CategoryComplement",
    "ChannelConsent",
    "CompetitorSignal",
    "Contact",
    "Customer",
    "DecisionLogEntry",
    "ExperimentAssignment",
    "GuardVerdict",
    "Inventory",
    "LoyaltyAccount",
    "OfferTemplate",
    "Order",
    "OrderLine",
    "Outcome",
    "Product",
    "Proposal",
    "ReviewItem",
    "SchemaInfo",
]
