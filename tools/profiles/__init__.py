"""Member profiles and predictions: one definition of every field, computed set-based for all
members or on demand for one, from history before an as-of date; the models behind churn risk,
next purchase, CLV, replenishment and category affinity, fitted, persisted and refitted here.

Entry point: `tools.profiles.service.ProfileService` (built by `open_profiles`)."""
