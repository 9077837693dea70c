"""Step 1: the experts. Signups grow about 7% a month from 2022-01; a little over half
are approved, about 12 days after signing up."""

import numpy as np

from expertnet.demo.network import COUNTRIES, DAYS_IN_MONTH, DOMAINS, LAST_DAY, MONTH_STARTS, MONTHS


def draw_experts(rng, n: int):
    """signup day, domain index, country index, approval day, and whether approved, per expert."""
    growth = np.exp(0.07 * np.arange(MONTHS))
    signup_month = np.sort(rng.choice(MONTHS, size=n, p=growth / growth.sum()))
    signup = MONTH_STARTS[signup_month] + (rng.random(n) * DAYS_IN_MONTH[signup_month]).astype(int)
    signup.sort()
    domain_weights = np.array([d[1] for d in DOMAINS])
    domain = rng.choice(len(DOMAINS), size=n, p=domain_weights / domain_weights.sum())
    country_weights = np.array([c[1] for c in COUNTRIES], dtype=float)
    country = rng.choice(len(COUNTRIES), size=n, p=country_weights / country_weights.sum())
    approved = signup + rng.geometric(1 / 12, size=n)
    is_approved = (rng.random(n) < 0.55) & (approved <= LAST_DAY)
    return signup, domain, country, approved, is_approved
