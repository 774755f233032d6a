"""Member profiles and predictions: one definition of every field, computed set-based for all
members or on demand for one, from history before an as-of date; the models behind churn risk,
next purchase, CLV, replenishment and category affinity, fitted, persisted and refitted here.

Entry point: `ProfileService` (built by `open_profiles`)."""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.profiles.artefact import FittedModels, ModelStore, default_models_dir
    from tools.profiles.cached import CachedProfiles
    from tools.profiles.cohorts import SegmentCount, SegmentSummary, segment_counts
    from tools.profiles.export import check_export_path, export_profiles
    from tools.profiles.features import MODEL_INPUTS, MemberFeatures, member_features
    from tools.profiles.frame import SEGMENT_FIELDS, ProfileFrame
    from tools.profiles.freshness import DEFAULT_STALE_AFTER
    from tools.profiles.history import CHANNELS, History, day_of, from_days, to_days
    from tools.profiles.loader import load_history, recorded_members
    from tools.profiles.pairs import Pairs, bought_in, first_purchase_after, pair_history
    from tools.profiles.population import category_stats
    from tools.profiles.profile import Freshness, Profile
    from tools.profiles.replenishment import regular_inputs
    from tools.profiles.search import MemberFilter, MemberPage, MemberSummary
    from tools.profiles.service import ProfileService, day_after, open_profiles
    from tools.profiles.training_data import Snapshot, Snapshots

__all__ = [
    "CHANNELS",
    "CachedProfiles",
    "DEFAULT_STALE_AFTER",
    "FittedModels",
    "Freshness",
    "History",
    "MODEL_INPUTS",
    "MemberFeatures",
    "MemberFilter",
    "MemberPage",
    "MemberSummary",
    "ModelStore",
    "Pairs",
    "Profile",
    "ProfileFrame",
    "ProfileService",
    "SEGMENT_FIELDS",
    "SegmentCount",
    "SegmentSummary",
    "Snapshot",
    "Snapshots",
    "bought_in",
    "category_stats",
    "check_export_path",
    "day_after",
    "day_of",
    "default_models_dir",
    "export_profiles",
    "first_purchase_after",
    "from_days",
    "load_history",
    "recorded_members",
    "member_features",
    "open_profiles",
    "pair_history",
    "regular_inputs",
    "segment_counts",
    "to_days",
]

__getattr__ = lazy_exports(__name__)
