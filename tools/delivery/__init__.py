"""Delivery: the outbox worker and the channel adapters it sends through."""
