"""Real data in: the Complete Journey importer, a generic transactions CSV importer, and the
data-quality audit and rejects file both end with."""
