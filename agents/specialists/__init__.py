"""The specialists: each one's playbook (system prompt and tool allow-list), their deterministic local
policy, and how a scored candidate and a member's profile become an offer proposal with copy."""

from agents.specialists.local_policy import SpecialistPolicy
from agents.specialists.playbooks import PLAYBOOKS, READ_AND_PROPOSE
from agents.specialists.proposal_builder import choose_tone, offer_value_text

__all__ = ["PLAYBOOKS", "READ_AND_PROPOSE", "SpecialistPolicy", "choose_tone", "offer_value_text"]
