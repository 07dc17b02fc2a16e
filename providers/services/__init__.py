"""Every write of the providers app. Modules: ratings (rating history, current rating, RatingChange),
register (bulk upserts of providers and locations, locality assignment), sync (the CQC API sync),
imports (CQC files), conditions (conditions on registration, provider users' memberships)."""
