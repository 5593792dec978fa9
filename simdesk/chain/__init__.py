"""``simdesk plan``: from a ticket history to next weeks' roster in one chain —
fit → forecast → staff → roster → verify by simulation (:mod:`simdesk.chain.plan`)."""
