"""Every table, importable from one place (importing it registers all tables on `Base.metadata`)."""

import tools.storage.runtime  # noqa: F401 - registers the runtime's tables (trigger queue, leases)
from tools.storage.base import Base
from tools.storage.budget_periods import Budget
from tools.storage.catalog import Category, CategoryComplement, Inventory, Product
from tools.storage.commerce import Order, OrderLine
from tools.storage.customers import ChannelConsent, Customer, LoyaltyAccount
from tools.storage.decision_steps import DecisionLogEntry
from tools.storage.engagement import BehaviouralEvent, CompetitorSignal, Contact, Outcome
from tools.storage.experiments import ExperimentAssignment
from tools.storage.offer_templates import OfferTemplate
from tools.storage.proposals import GuardVerdict, Proposal, ReviewItem
from tools.storage.schema_info import SchemaInfo

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
