"""Every write of the providers app. Modules: ratings (rating history, current rating, RatingChange),
register (bulk upserts of providers and locations, locality assignment, CQC reports), locations (one location
entered or edited by hand), sync (the CQC API sync),
imports (CQC files), conditions (conditions on registration, provider users' memberships)."""
