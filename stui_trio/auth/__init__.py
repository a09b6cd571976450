"""Authorization: subscription tiers, feature access and auth tokens (``tiers``)."""
