"""Files people write or the product writes: TOML a person edits (segments, alerts, offers), read
with one clear error, and files holding personal data, created owner-only."""

from tools.files.private_files import OWNER_ONLY, owner_only
from tools.files.toml_files import read_toml, validation_problems

__all__ = ["OWNER_ONLY", "owner_only", "read_toml", "validation_problems"]
