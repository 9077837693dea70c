"""One expert, for ops and founders: finding them, and their history. Expert-level rows, so
every function here refuses an investor's role; each figure comes from a query in queries/ with
bound parameters, over the rollups (no work_logs)."""

from datetime import date

import pandas as pd

from expertnet.access import roles
from expertnet.errors import BadInput
from expertnet.metrics.filters import Filters
from expertnet.metrics.queries import run

SEARCH_RESULTS = 20
MIN_SEARCH_CHARACTERS = 2
MAX_SEARCH_CHARACTERS = 200


def _refuse_investor(role: str) -> None:
    if role == roles.INVESTOR:
        raise PermissionError("one expert's records are not part of an investor's view")


def search(con, text: str, filters: Filters = Filters(), role: str = roles.FOUNDER,
           limit: int = SEARCH_RESULTS) -> pd.DataFrame:
    """expert_id, full_name, email, domain, country, signup_date, approved_date, last_work_date
    (over all time) and matches (how many match in all) of the first `limit` experts the filters
    keep whose id or email is `text`, or whose name or email holds it."""
    _refuse_investor(role)
    text = (text or "").strip()
    if len(text) < MIN_SEARCH_CHARACTERS:
        raise BadInput(f"type at least {MIN_SEARCH_CHARACTERS} characters to search")
    if len(text) > MAX_SEARCH_CHARACTERS:
        raise BadInput(f"a search is at most {MAX_SEARCH_CHARACTERS} characters")
    return run(con, "search_experts", text=text, limit=int(limit), **filters.as_params())


def profile(con, expert_id: str, role: str = roles.FOUNDER) -> dict | None:
    """Who the expert is and when they worked; None for an id the warehouse does not hold."""
    _refuse_investor(role)
    rows = run(con, "expert_profile", expert_id=str(expert_id).strip()[:200])
    return None if rows.empty else rows.iloc[0].to_dict()


def by_month(con, expert_id: str, first: date, last: date, role: str = roles.FOUNDER) -> pd.DataFrame:
    """month, hours, expert_pay_usd, bonuses_usd, earnings_usd, effective_rate_usd, billings_usd."""
    _refuse_investor(role)
    return run(con, "expert_by_month", expert_id=str(expert_id), from_month=first, to_month=last)


def contracts(con, expert_id: str, first: date, last: date, role: str = roles.FOUNDER) -> pd.DataFrame:
    """The contracts worked on in the period: client, bill rate against pay rate, spread."""
    _refuse_investor(role)
    return run(con, "expert_contracts", expert_id=str(expert_id), from_month=first, to_month=last)


def bonuses(con, expert_id: str, first: date, last: date, role: str = roles.FOUNDER) -> pd.DataFrame:
    """bonus_id, paid_date, kind, amount_usd of the period."""
    _refuse_investor(role)
    return run(con, "expert_bonuses", expert_id=str(expert_id), from_month=first, to_month=last)


def domain_place(con, expert_id: str, first: date, last: date, role: str = roles.FOUNDER) -> dict:
    """domain, earnings_usd, experts_earning, experts_earning_less, domain_p50_usd, domain_p90_usd:
    the expert's earnings of the period among their domain's earners."""
    _refuse_investor(role)
    return run(con, "expert_domain_place", expert_id=str(expert_id), from_month=first, to_month=last).iloc[0].to_dict()
