"""Every number the dashboard and the CLI show, declared once (docs/METRICS.md).

Each KPI has a key, a label, a unit, the one-line definition the pages show
beside it, and its *basis*: the count of distinct experts it is computed from,
which decides whether an investor may see it (privacy.py). The functions here
are the only way pages and CLI get numbers.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from expertnet.access import roles
from expertnet.metrics import privacy
from expertnet.metrics.filters import Filters, add_months, month_label
from expertnet.metrics.queries import run
from expertnet.metrics.units import (CLIENTS, COEFFICIENT, CONTRACTS, DAYS, EXPERTS, HOURS, HOURS_PER_EXPERT, INDEX, MONTH,
                                     MULTIPLE, SHARE, USD, USD_PER_HOUR, Unit)



@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: Unit
    definition: str
    basis: str | None = None      # column holding how many experts the figure is computed from
    # Whether a rise is good news: True, False, or None where it is neither (payouts grow with
    # the business and cost it too), so a tile's change is coloured green, red or grey.
    higher_is_better: bool | None = True
    # The same figure over a whole period (Payouts), where it is defined differently.
    period_definition: str | None = None
    about: str = ""               # the meaning in plain words, shown on hover; `definition` is the formula
    whole_company: bool = False   # always the whole company, whatever the filters

    @property
    def can_be_withheld(self) -> bool:
        """A figure with no expert basis (the valuation) is never withheld: where it is missing,
        there is none (no mark yet), and an investor is told that, not "fewer than 11 experts"."""
        return self.basis is not None

    def label_in_view(self, filtered: bool) -> str:
        """Its label; a whole-company figure beside a filtered view says so."""
        return f"{self.label} (whole company)" if self.whole_company and filtered else self.label


_PER_EXPERT_IN_PERIOD = "each expert's pay plus bonuses summed over the period, among experts who earned > 0"


KPIS: tuple[Kpi, ...] = (
    Kpi("month", "Month", MONTH, "The calendar month the figures describe (YYYY-MM).",
        about="The month these figures describe."),
    Kpi("experts_total", "Experts signed up", EXPERTS,
        "Experts with signup_date on or before the last day of the month.", "experts_total",
        about="Everyone who has signed up as an expert, up to the end of the month."),
    Kpi("experts_new", "New signups", EXPERTS, "Experts with signup_date in the month.", "experts_new",
        about="Experts who signed up during the month."),
    Kpi("experts_approved_total", "Experts approved", EXPERTS,
        "Experts with approved_date on or before the last day of the month.", "experts_approved_total",
        about="Experts who have passed vetting, up to the end of the month."),
    Kpi("experts_active", "Active experts", EXPERTS,
        "Distinct experts with at least one work log in the month.", "experts_active",
        about="Experts who logged any work during the month."),
    Kpi("activation_rate_90d", "90-day activation", SHARE,
        "Of the experts who signed up in month M-3, the share with a work log dated before "
        "signup_date + 90 days (days 0 to 89).", "activation_cohort_size",
        about=("Of the experts who signed up three months earlier, the share who did paid work within "
               "their first 90 days.")),
    Kpi("hours", "Hours worked", HOURS, "Sum of hours of work logs in the month.", "experts_active",
        about="Hours experts worked in the month."),
    Kpi("expert_pay_usd", "Expert pay", USD, "Sum of hours * pay_rate_usd of work logs in the month.",
        "experts_active", higher_is_better=None,
        about="What experts earned for their hours: each hour at its hourly pay rate."),
    Kpi("bonuses_usd", "Bonuses", USD, "Sum of amount_usd of bonuses paid in the month.",
        "experts_with_bonus", higher_is_better=None,
        about="Bonuses paid to experts in the month."),
    Kpi("payouts_usd", "Payouts", USD, "expert_pay_usd + bonuses_usd.", "experts_earning",
        higher_is_better=None,
        about="Everything paid to experts: hourly pay plus bonuses."),
    Kpi("billings_usd", "Billings (GMV)", USD,
        "Sum of hours * bill_rate_usd of the contract, over work logs in the month: what clients pay.",
        "experts_active",
        about="What clients are billed for the hours worked (gross merchandise value)."),
    Kpi("net_revenue_usd", "Net revenue", USD, "billings_usd - payouts_usd.", "experts_earning",
        about="What the company keeps: billings minus payouts."),
    Kpi("take_rate", "Take rate", SHARE, "net_revenue_usd / billings_usd.", "experts_earning",
        about="The share of billings the company keeps."),
    Kpi("arr_usd", "ARR run-rate", USD, "billings_usd * 12 (annualised run-rate).", "experts_active",
        about="The month's billings at an annual rate (twelve times the month)."),
    Kpi("billings_growth_mom", "Billings growth MoM", SHARE,
        "billings_usd of the month / billings_usd of the month before, minus 1.", "experts_active_mom",
        about="How much billings grew against the month before."),
    Kpi("billings_cmgr_12m", "Billings CMGR (12m)", SHARE,
        "(billings_usd of the month / billings_usd 12 months before) ^ (1/12), minus 1.",
        "experts_active_12m",
        about="The average monthly growth of billings over the last twelve months."),
    Kpi("avg_pay_rate_usd", "Average pay rate", USD_PER_HOUR, "expert_pay_usd / hours.", "experts_active",
        about="What an hour of expert work pays, on average."),
    Kpi("avg_bill_rate_usd", "Average bill rate", USD_PER_HOUR, "billings_usd / hours.", "experts_active",
        about="What clients pay for an hour of expert work, on average."),
    Kpi("hours_per_active_expert", "Hours per active expert", HOURS_PER_EXPERT, "hours / experts_active.",
        "experts_active",
        about="How many hours an expert who worked put in, on average."),
    Kpi("earnings_p50_usd", "Median earnings", USD,
        "50th percentile of the month's earnings (pay + bonuses) of experts who earned > 0; "
        "linear interpolation (DuckDB quantile_cont).", "percentile:50",
        period_definition=f"50th percentile of {_PER_EXPERT_IN_PERIOD}; linear interpolation.",
        about="What the typical earning expert made in the month: half of them made more, half less."),
    Kpi("earnings_p90_usd", "p90 earnings", USD,
        "90th percentile of the month's earnings of experts who earned > 0.", "percentile:90",
        period_definition=f"90th percentile of {_PER_EXPERT_IN_PERIOD}.",
        about="The least that the top 10% of earning experts made in the month."),
    Kpi("earnings_p99_usd", "p99 earnings", USD,
        "99th percentile of the month's earnings of experts who earned > 0.", "percentile:99",
        period_definition=f"99th percentile of {_PER_EXPERT_IN_PERIOD}.",
        about="The least that the top 1% of earning experts made in the month."),
    Kpi("earnings_gini", "Earnings Gini", COEFFICIENT,
        "Gini coefficient of the same earnings: sum over pairs of |x_i - x_j| / (2 n^2 mean); "
        "0 for a single expert.", "gini", higher_is_better=False,
        period_definition=f"Gini coefficient of {_PER_EXPERT_IN_PERIOD}; 0 for a single expert.",
        about=("How unequal expert earnings are: 0 when everyone earns the same, close to 1 when a "
               "few earn almost everything.")),
    Kpi("top1pct_earnings_share", "Top 1% earnings share", SHARE,
        "Share of those earnings that goes to the ceil(n / 100) highest earners.", "top1pct",
        higher_is_better=False,
        period_definition=f"Share of {_PER_EXPERT_IN_PERIOD} that goes to the ceil(n / 100) highest earners.",
        about="The share of all expert earnings that goes to the top 1% of earners."),
    Kpi("clients_active", "Active clients", CLIENTS, "Distinct clients with billings in the month.",
        "experts_active",
        about="Clients billed for work in the month."),
    Kpi("top_client_share", "Top client share", SHARE,
        "Billings of the largest client in the month / billings_usd.", "experts_active",
        higher_is_better=False,
        about="The share of billings that comes from the largest client."),
    Kpi("top5_client_share", "Top 5 clients share", SHARE,
        "Billings of the five largest clients in the month / billings_usd.", "experts_active",
        higher_is_better=False,
        about="The share of billings that comes from the five largest clients."),
    Kpi("client_hhi", "Client HHI", INDEX,
        "Sum over clients of (100 * client's share of the month's billings)^2; 0 to 10,000.",
        "experts_active", higher_is_better=False,
        about=("How concentrated billings are across clients: near 0 when spread over many, 10,000 "
               "when one client is everything.")),
    Kpi("nrr_12m", "Net revenue retention (12m)", SHARE,
        "For the clients with billings 12 months before: their billings now / their billings then.",
        "retention_experts",
        about=("What last year's clients bill now against what they billed then, growth included: "
               "over 100% means they grew.")),
    Kpi("grr_12m", "Gross revenue retention (12m)", SHARE,
        "The same clients: sum of min(billings now, billings then) / their billings then.",
        "retention_experts",
        about="The same clients, counting only what was kept (growth left out), so 100% is the most."),
    Kpi("valuation_usd", "Valuation", USD,
        "post_money_usd of the latest valuation mark on or before the month's last day (whole company).",
        about="The company's valuation at its latest funding round (post-money).", whole_company=True),
    Kpi("implied_arr_multiple", "Implied ARR multiple", MULTIPLE,
        "valuation_usd / arr_usd of the whole company in the month.", "company_experts_active",
        about=("Valuation divided by the company's ARR: how many years of today's revenue the "
               "valuation prices in."), whole_company=True),
    # Operator KPIs (METRICS.md): supply, unit economics, the client revenue bridge, forward revenue.
    Kpi("billings_growth_yoy", "Billings growth YoY", SHARE,
        "billings_usd of the month / billings_usd 12 months before, minus 1.", "experts_active_12m",
        about="How much billings grew against the same month a year earlier."),
    Kpi("spread_per_hour_usd", "Spread per hour", USD_PER_HOUR,
        "(billings_usd - expert_pay_usd) / hours: what an hour earns the company before bonuses.",
        "experts_active", about="What the company keeps from an hour of work, before bonuses."),
    Kpi("experts_first_paid", "New active supply", EXPERTS,
        "Experts whose earliest work log (over all time) is dated in the month.", "experts_first_paid",
        about="Experts who were paid for work for the first time this month."),
    Kpi("experts_reactivated", "Reactivated experts", EXPERTS,
        "Experts with a work log in the month, none in the month before, and one dated before that.",
        "experts_reactivated", about="Experts who came back to work after at least a month away."),
    Kpi("utilization_rate", "Utilization", SHARE,
        "Of the experts with approved_date on or before the last day of the month, the share with a work "
        "log in the month.", "ratio:active_approved:experts_approved_total",
        about="Of the approved experts, the share who worked this month."),
    Kpi("days_to_approval_p50", "Days to approval (median)", DAYS,
        "Median (quantile_cont 0.5) of approved_date - signup_date in days, over the experts approved in the "
        "month.", "percentile:50:experts_approved_in_month", higher_is_better=False,
        about="How long vetting takes: the typical days from signup to approval, for those approved this month."),
    Kpi("days_to_first_paid_p50", "Days to first paid hour (median)", DAYS,
        "Median of (earliest work_date - signup_date) in days, over the experts counted in experts_first_paid.",
        "percentile:50:experts_first_paid", higher_is_better=False,
        about="How long it takes a new expert to start earning: the typical days from signup to first paid work."),
    Kpi("top10pct_hours_share", "Top 10% hours share", SHARE,
        "Share of the month's hours worked by the ceil(n / 10) experts with the most hours, n = experts_active.",
        "top10pct", higher_is_better=None,
        about="How much of the work rests on the busiest tenth of the active experts."),
    Kpi("clients_new", "New clients", CLIENTS,
        "Clients whose first month with billings (over all time) is the month.", "experts_active_mom",
        about="Clients billed for the first time this month."),
    Kpi("clients_churned", "Churned clients", CLIENTS, "Clients with billings in the month before and none in the month.",
        "experts_active_mom", higher_is_better=False,
        about="Clients billed last month and not this month."),
    Kpi("revenue_new_usd", "New client revenue", USD, "Billings in the month of the clients counted in clients_new.",
        "experts_active_mom", about="This month's billings from clients billed for the first time."),
    Kpi("revenue_reactivated_usd", "Reactivated revenue", USD,
        "Billings in the month of the clients with billings in it, none in the month before, and some earlier.",
        "experts_active_mom", about="This month's billings from clients who came back after a gap."),
    Kpi("revenue_expansion_usd", "Expansion", USD,
        "Over the clients with billings in both the month before and the month: sum of max(0, billings now - "
        "billings then).", "experts_active_mom", about="How much more the continuing clients spent than last month."),
    Kpi("revenue_contraction_usd", "Contraction", USD,
        "Over the same clients: sum of max(0, billings then - billings now).", "experts_active_mom",
        higher_is_better=False, about="How much less the continuing clients spent than last month."),
    Kpi("revenue_churned_usd", "Churned revenue", USD,
        "Billings in the month before of the clients counted in clients_churned.", "experts_active_mom",
        higher_is_better=False, about="Last month's billings of the clients who were not billed this month."),
    Kpi("quick_ratio", "Quick ratio", MULTIPLE,
        "(revenue_new_usd + revenue_reactivated_usd + revenue_expansion_usd) / (revenue_contraction_usd + "
        "revenue_churned_usd).", "experts_active_mom",
        about="Revenue gained for each dollar lost this month: above 1 the client base grows."),
    Kpi("committed_backlog_usd", "Committed backlog", USD,
        "Over the contracts with a committed_usd, started on or before the last day of the month and not ended by "
        "it: sum of max(0, committed_usd - the contract's billings to that day).",
        about="What clients have committed to spend and not spent yet (whole company).", whole_company=True),
    Kpi("contracts_ending_90d", "Contracts ending in 90 days", CONTRACTS,
        "Contracts whose end_date falls on day 1 to day 90 after the last day of the month.",
        higher_is_better=None, about="Contracts that end in the next 90 days (whole company).", whole_company=True),
    Kpi("arr_ending_90d_usd", "ARR ending in 90 days", USD,
        "12 x the billings in the month of the contracts counted in contracts_ending_90d.", higher_is_better=None,
        about="The run-rate of the contracts that end in the next 90 days: what is up for renewal (whole company).",
        whole_company=True),
)
KPI_KEYS = tuple(k.key for k in KPIS)
# The month's headline figures, in the rows the Overview's tiles and the monthly update show them.
HEADLINE_ROWS = (("billings_usd", "net_revenue_usd", "take_rate", "arr_usd"),
                 ("experts_total", "experts_new", "experts_active", "activation_rate_90d"),
                 ("payouts_usd", "hours", "avg_pay_rate_usd", "hours_per_active_expert"),
                 ("clients_active", "top_client_share", "nrr_12m", "grr_12m"),
                 ("billings_growth_mom", "billings_cmgr_12m", "valuation_usd", "implied_arr_multiple"))
# The client revenue bridge: billings now - billings a month before = new + reactivated + expansion
# - contraction - churned (METRICS.md). Its members are withheld together.
BRIDGE = ("revenue_new_usd", "revenue_reactivated_usd", "revenue_expansion_usd", "revenue_contraction_usd",
          "revenue_churned_usd")

# The terms every definition above is written in: (term, meaning).
TERMS = (
    ("billings", "of a work log = hours x the contract's `bill_rate_usd` (what clients pay; GMV)"),
    ("expert pay", "of a work log = hours x `pay_rate_usd`"),
    ("earnings", "of an expert in a month = their expert pay plus the bonuses paid to them that month"),
    ("filters", "(domain, country, signup cohort) keep only the matching experts, with their work logs and "
                "bonuses; the valuation figures always describe the whole company"),
    ("a ratio", "whose denominator is zero is null"),
)
KPIS_BY_KEY = {k.key: k for k in KPIS}


def _ratio(numerator, denominator):
    """numerator / denominator, NaN where the denominator is zero or missing."""
    numerator = pd.Series(numerator, dtype="float64")
    denominator = pd.Series(denominator, dtype="float64")
    return (numerator / denominator.where(denominator != 0)).astype("float64")


def _month_frame(con, name: str, first: date, last: date, filters: Filters, **extra) -> pd.DataFrame:
    frame = run(con, name, from_month=first, to_month=last, **filters.as_params(), **extra)
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame.set_index("month")


@dataclass(frozen=True)
class _Inputs:
    """What the KPIs of months first..last are computed from: one frame per query, by month."""
    activity: pd.DataFrame          # this view's activity in the months
    previous: pd.DataFrame          # its billings and active experts one month before each month
    year_ago: pd.DataFrame          # ... and twelve months before
    counts: pd.DataFrame
    activation: pd.DataFrame        # the cohorts of M-3, one row per month M
    earnings: pd.DataFrame
    concentration: pd.DataFrame
    retention: pd.DataFrame
    valuation: pd.DataFrame
    company: pd.DataFrame           # the whole company's activity (valuation figures)
    supply: pd.DataFrame
    bridge: pd.DataFrame
    forward: pd.DataFrame           # the whole company's contracts


def _fetch(con, first: date, last: date, filters: Filters, role: str) -> _Inputs:
    span = _month_frame(con, "activity_by_month", add_months(first, -12), last, filters)
    activity = span.loc[first:last].copy()
    earnings = (_month_frame(con, "earnings_spread_of_all_experts", first, last, filters) if filters.is_empty()
                else _month_frame(con, "earnings_distribution", first, last, filters, per_month=True))
    return _Inputs(
        activity=activity,
        previous=span[["billings_usd", "experts_active"]].shift(1).loc[first:last],
        year_ago=span[["billings_usd", "experts_active"]].shift(12).loc[first:last],
        counts=_month_frame(con, "expert_counts_by_month", first, last, filters),
        activation=run(con, "activation_by_cohort", from_month=add_months(first, -3),
                       to_month=add_months(last, -3), **filters.as_params()),
        earnings=earnings.reindex(activity.index),
        concentration=_month_frame(con, "client_concentration_by_month", first, last, filters),
        retention=_month_frame(con, "client_retention_by_month", first, last, filters),
        valuation=_month_frame(con, "valuation_by_month", first, last, Filters()),
        company=activity if filters.is_empty() else _month_frame(con, "activity_by_month", first, last, Filters()),
        supply=_month_frame(con, "supply_by_month", first, last, filters, all_experts=filters.is_empty()),
        # the experts behind each part of the bridge: only an investor's threshold needs them
        bridge=_month_frame(con, "client_bridge_by_month", first, last, filters,
                            count_experts=role == roles.INVESTOR, min_experts=privacy.MIN_EXPERTS),
        forward=_month_frame(con, "forward_revenue_by_month", first, last, Filters()).drop(
            columns=["domain", "country", "cohort"], errors="ignore"),
    )


def _assemble(inputs: _Inputs) -> pd.DataFrame:
    """Every KPI from its inputs, as METRICS.md defines it: one row per month."""
    activity = inputs.activity
    k = pd.DataFrame(index=activity.index)
    k["month"] = [month_label(m) for m in activity.index]
    for column in ("experts_total", "experts_new", "experts_approved_total"):
        k[column] = inputs.counts[column]
    k["experts_active"] = activity["experts_active"]
    k["activation_rate_90d"] = inputs.activation["activation_rate_90d"].to_numpy(dtype="float64")
    for column in ("hours", "expert_pay_usd", "bonuses_usd", "billings_usd"):
        k[column] = activity[column]
    k["payouts_usd"] = activity["expert_pay_usd"] + activity["bonuses_usd"]
    k["net_revenue_usd"] = activity["billings_usd"] - k["payouts_usd"]
    k["take_rate"] = _ratio(k["net_revenue_usd"], activity["billings_usd"]).to_numpy()
    k["arr_usd"] = activity["billings_usd"] * 12
    k["billings_growth_mom"] = (_ratio(activity["billings_usd"], inputs.previous["billings_usd"]) - 1).to_numpy()
    k["billings_cmgr_12m"] = (_ratio(activity["billings_usd"], inputs.year_ago["billings_usd"]) ** (1 / 12)
                              - 1).to_numpy()
    k["avg_pay_rate_usd"] = _ratio(activity["expert_pay_usd"], activity["hours"]).to_numpy()
    k["avg_bill_rate_usd"] = _ratio(activity["billings_usd"], activity["hours"]).to_numpy()
    k["hours_per_active_expert"] = _ratio(activity["hours"], activity["experts_active"]).to_numpy()
    for column in ("earnings_p50_usd", "earnings_p90_usd", "earnings_p99_usd", "earnings_gini",
                   "top1pct_earnings_share"):
        k[column] = inputs.earnings[column].astype("float64")
    for column in ("clients_active", "top_client_share", "top5_client_share", "client_hhi"):
        concentration = inputs.concentration[column]
        k[column] = concentration.astype("float64") if column != "clients_active" else concentration
    k["nrr_12m"] = inputs.retention["nrr_12m"].astype("float64")
    k["grr_12m"] = inputs.retention["grr_12m"].astype("float64")
    k["valuation_usd"] = inputs.valuation["valuation_usd"].astype("float64")
    k["implied_arr_multiple"] = _ratio(inputs.valuation["valuation_usd"],
                                       inputs.company["billings_usd"] * 12).to_numpy()
    _assemble_operator(k, inputs)
    return k


def _assemble_operator(k: pd.DataFrame, inputs: _Inputs) -> None:
    """The operator KPIs (METRICS.md), into `k`."""
    activity, supply, bridge = inputs.activity, inputs.supply, inputs.bridge
    k["billings_growth_yoy"] = (_ratio(activity["billings_usd"], inputs.year_ago["billings_usd"]) - 1).to_numpy()
    k["spread_per_hour_usd"] = _ratio(activity["billings_usd"] - activity["expert_pay_usd"],
                                      activity["hours"]).to_numpy()
    k["experts_first_paid"] = supply["experts_first_paid"]
    k["experts_reactivated"] = supply["experts_reactivated"]
    k["utilization_rate"] = _ratio(supply["active_approved"], inputs.counts["experts_approved_total"]).to_numpy()
    for key in ("days_to_approval_p50", "days_to_first_paid_p50", "top10pct_hours_share"):
        k[key] = supply[key].astype("float64")
    for key in ("clients_new", "clients_churned", *BRIDGE):
        k[key] = bridge[key]
    k["quick_ratio"] = _ratio(bridge[["revenue_new_usd", "revenue_reactivated_usd", "revenue_expansion_usd"]].sum(axis=1),
                              bridge[["revenue_contraction_usd", "revenue_churned_usd"]].sum(axis=1)).to_numpy()
    for key in ("committed_backlog_usd", "contracts_ending_90d", "arr_ending_90d_usd"):
        k[key] = inputs.forward[key]


def _basis(k: pd.DataFrame, inputs: _Inputs) -> pd.DataFrame:
    """For each KPI's basis (Kpi.basis), how many experts it rests on in each month."""
    activity = inputs.activity
    return pd.DataFrame({
        "experts_total": k["experts_total"], "experts_new": k["experts_new"],
        "experts_approved_total": k["experts_approved_total"], "experts_active": k["experts_active"],
        "activation_cohort_size": inputs.activation["cohort_size"].to_numpy(),
        "experts_with_bonus": activity["experts_with_bonus"],
        "experts_earning": activity["experts_earning"],
        "experts_active_mom": np.minimum(activity["experts_active"], inputs.previous["experts_active"]),
        "experts_active_12m": np.minimum(activity["experts_active"], inputs.year_ago["experts_active"]),
        "earners": inputs.earnings["experts_earning"].fillna(0),
        "company_experts_active": inputs.company["experts_active"],
        "experts_first_paid": inputs.supply["experts_first_paid"],
        "experts_reactivated": inputs.supply["experts_reactivated"],
        "experts_approved_in_month": inputs.supply["experts_approved_in_month"],
        "active_approved": inputs.supply["active_approved"],
    }, index=k.index)


def _withhold(con, k: pd.DataFrame, inputs: _Inputs, first: date, last: date, filters: Filters) -> pd.DataFrame:
    """An investor's KPIs: each withheld where its basis is too small, then what the shown
    figures would give away (_close_identities)."""
    basis = _basis(k, inputs)
    # Only the threshold needs this count, so only an investor's view pays for it.
    experts = _month_frame(con, "client_retention_experts_by_month", first, last, filters,
                           min_experts=privacy.MIN_EXPERTS)
    basis["retention_experts"] = np.minimum(inputs.year_ago["experts_active"], experts["current_experts_floor"])
    k = privacy.withhold_kpis(k, basis, KPIS)
    k = _close_bridge(k, inputs.bridge)
    return _close_identities(con, k, inputs.activation, basis, first, last, filters)


def _close_bridge(k: pd.DataFrame, bridge: pd.DataFrame) -> pd.DataFrame:
    """An investor's revenue bridge: each part rests on the experts who worked for its clients
    (in the month, in the month before, or both); where any part rests on 1 to 10 of them, every
    part and the quick ratio are withheld together, since the identity would give the part
    away from the others and the change in billings."""
    k = k.copy()
    parts = {"revenue_new_usd": bridge["experts_new_clients"],
             "revenue_reactivated_usd": bridge["experts_reactivated_clients"],
             "revenue_expansion_usd": np.minimum(bridge["experts_kept_now"], bridge["experts_kept_before"]),
             "revenue_contraction_usd": np.minimum(bridge["experts_kept_now"], bridge["experts_kept_before"]),
             "revenue_churned_usd": bridge["experts_churned_clients"]}
    small = pd.concat([experts.map(privacy.count_is_withheld) for experts in parts.values()], axis=1).any(axis=1)
    withheld = small | k[list(BRIDGE)].isna().any(axis=1)
    for key in (*BRIDGE, "quick_ratio"):
        k[key] = privacy.blank(k[key], withheld)
    return k


def kpi_series(con, first: date, last: date, filters: Filters = Filters(), role: str = roles.FOUNDER) -> pd.DataFrame:
    """Every KPI of METRICS.md for each month from `first` to `last` (first days of months):
    one row per month, columns KPI_KEYS, NaN where a figure is null or withheld."""
    inputs = _fetch(con, first, last, filters, role)
    k = _assemble(inputs)
    if role == roles.INVESTOR:
        k = _withhold(con, k, inputs, first, last, filters)
    return k.reset_index(drop=True)


PAY_IDENTITY = ("expert_pay_usd", "bonuses_usd", "avg_pay_rate_usd", "spread_per_hour_usd")
MARGIN_IDENTITY = ("net_revenue_usd", "take_rate")


def _close_identities(con, k: pd.DataFrame, activation: pd.DataFrame, basis: pd.DataFrame,
                      first: date, last: date, filters: Filters) -> pd.DataFrame:
    """An investor's KPIs, with what the figures shown would otherwise give away withheld too
    (METRICS.md: members of an identity are withheld together; the ratio rule)."""
    k = k.copy()
    # payouts = pay + bonuses: where bonuses rest on 1 to 10 experts (or pay is withheld), pay
    # and bonuses are withheld together, and the average pay rate with them (hours x rate is
    # pay); payouts, resting on every earner, stay. net revenue = billings - payouts: where
    # either is withheld, so are net revenue and the take rate.
    # (Bonuses of no expert are a zero: pay beside payouts gives away only that zero.)
    bonus_experts = basis["experts_with_bonus"].map(privacy.count_is_withheld).astype(bool)
    for key in PAY_IDENTITY:
        k[key] = privacy.blank(k[key], k["expert_pay_usd"].isna() | bonus_experts)
    for key in MARGIN_IDENTITY:
        k[key] = privacy.blank(k[key], k[["billings_usd", "payouts_usd"]].isna().any(axis=1))
    # ratio rule: a rate whose numerator is a count of 1 to 10 experts gives that count away
    activated = activation["activated_90d"].to_numpy()
    k["activation_rate_90d"] = privacy.blank(k["activation_rate_90d"],
                                             [privacy.count_is_withheld(a) for a in activated])
    # a share of billings times billings is that client's billings: it needs 11 experts of its own
    clients = run(con, "client_months_with_experts", from_month=first, to_month=last, **filters.as_params())
    clients["month"] = pd.to_datetime(clients["month"]).dt.date
    ranked = clients.groupby("month", sort=False)
    top = ranked["experts"].first().reindex(k.index).fillna(0)
    top5 = ranked["experts"].apply(lambda e: e.head(5).max()).reindex(k.index).fillna(0)
    # ... and billings minus it is the other clients' billings: they need 0 or 11 experts too.
    # Their distinct experts are at least the most of any one of them and at most their sum, so
    # the rest is shown where that most is 11, or the sum 0; otherwise it is withheld (it may
    # rest on 11 after all, but only a count of the union would say so).
    def rest_small(after: int) -> pd.Series:
        def small(experts: pd.Series) -> bool:
            rest = experts.iloc[after:]
            return bool(rest.sum() > 0 and rest.max() < privacy.MIN_EXPERTS)
        by_month = ranked["experts"].apply(small).to_dict() if len(clients) else {}
        return pd.Series([bool(by_month.get(month, False)) for month in k.index], index=k.index)
    k["top_client_share"] = privacy.blank(k["top_client_share"], (top < privacy.MIN_EXPERTS) | rest_small(1))
    k["top5_client_share"] = privacy.blank(k["top5_client_share"], (top5 < privacy.MIN_EXPERTS) | rest_small(5))
    # with three clients or fewer, the HHI and the top share solve for every client's share
    k["client_hhi"] = privacy.blank(k["client_hhi"], (top < privacy.MIN_EXPERTS) | (k["clients_active"] < 4))
    # active = first paid + reactivated + those who also worked the month before: where that last
    # count is 1 to 10, the reactivated are withheld so that it cannot be worked out
    retained = basis["experts_active"] - basis["experts_first_paid"] - basis["experts_reactivated"]
    k["experts_reactivated"] = privacy.blank(k["experts_reactivated"], retained.map(privacy.count_is_withheld))
    running = running_count_visibility(con, add_months(first, -3), last, filters)
    k["experts_total"] = privacy.blank(k["experts_total"], ~running["total_shown"].iloc[3:])
    k["experts_new"] = privacy.blank(k["experts_new"], running["step_withheld"].iloc[3:])
    # the activation rate of month M is the cohort of M-3's: activated / rate would give its size
    k["activation_rate_90d"] = privacy.blank(k["activation_rate_90d"], running["step_withheld"].iloc[:-3])
    # the whole company's ARR beside a locked view's gives away the experts outside the view
    outside = basis["company_experts_active"] - basis["experts_active"]
    k["implied_arr_multiple"] = privacy.blank(k["implied_arr_multiple"], outside.map(privacy.count_is_withheld))
    return k


def running_count_visibility(con, first: date, last: date, filters: Filters) -> pd.DataFrame:
    """For each month first..last: whether an investor may see experts signed up to date
    (total_shown), and whether its new signups are withheld to protect a smaller step
    (step_withheld); privacy.running_count_visibility, decided from the network's first
    month on so that every period an investor picks shows the same months."""
    start = run(con, "first_signup_month").iloc[0, 0]
    start = first if start is None or pd.isna(start) else min(pd.Timestamp(start).date(), first)
    counts = _month_frame(con, "expert_counts_by_month", start, last, filters)
    shown, secondary = privacy.running_count_visibility(counts["experts_total"], counts["experts_new"])
    return pd.DataFrame({"total_shown": shown, "step_withheld": secondary}, index=counts.index,
                        dtype=bool).loc[first:last]


def company_series(con, first: date, last: date, view: Filters = Filters(), role: str = roles.FOUNDER) -> pd.DataFrame:
    """The whole company's KPIs, for figures that always describe it (valuation). For an
    investor whose link locks `view`, the company's sums are withheld in the months where the
    experts outside the view are 1 to 10: company minus view would give them away."""
    company = kpi_series(con, first, last, Filters(), role)
    if role != roles.INVESTOR or view.is_empty():
        return company
    inside = _month_frame(con, "activity_by_month", first, last, view)["experts_active"].to_numpy()
    everyone = _month_frame(con, "activity_by_month", first, last, Filters())["experts_active"].to_numpy()
    small = [privacy.count_is_withheld(n) for n in everyone - inside]
    for key in KPI_KEYS[1:]:
        if KPIS_BY_KEY[key].basis is not None:
            company[key] = privacy.blank(company[key], small)
    return company


def kpis(con, month: date, filters: Filters = Filters(), role: str = roles.FOUNDER) -> dict:
    """The headline KPIs of one month: a dict with exactly KPI_KEYS, None for null."""
    row = kpi_series(con, month, month, filters, role).iloc[0]
    return {key: _plain(row[key]) for key in KPI_KEYS}


def plan(con, month: date) -> list[dict]:
    """Plan against actual (METRICS.md): one dict per target of `month`, ordered by metric, with
    metric, month, target, actual (the whole company's KPI that month) and variance (actual /
    target - 1; None where the target is 0 or the actual is null). Founders only: targets have
    no investor flag, so no investor view shows them."""
    targets = run(con, "targets_of_month", month=month_label(month))
    if targets.empty:
        return []
    actual = kpis(con, month)
    rows = []
    for target in targets.itertuples():
        value = actual.get(target.metric)
        variance = None if value is None or not target.target_value else value / target.target_value - 1
        rows.append({"metric": target.metric, "month": target.month, "target": _plain(target.target_value),
                     "actual": value, "variance": _plain(variance)})
    return rows


def _plain(value):
    """A JSON-ready Python value: None for NaN or an infinite sum, int for whole counts."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):    # a sum too large for a double is no figure either
        return float(value) if np.isfinite(value) else None
    return value


def retention(con, filters: Filters = Filters(), role: str = roles.FOUNDER) -> pd.DataFrame:
    """Expert retention by signup cohort (METRICS.md): cohort, months_since, cohort_size, active, rate."""
    frame = run(con, "retention_by_cohort", **filters.as_params())
    if role == roles.INVESTOR:
        frame = privacy.withhold_retention(frame)
        if len(frame):
            # a cohort's size is its month's new signups: withheld where that step is
            months = sorted({date(int(c[:4]), int(c[5:7]), 1) for c in frame["cohort"]})
            running = running_count_visibility(con, months[0], months[-1], filters)
            hidden = {month_label(m) for m in running.index[running["step_withheld"]]}
            mask = frame["cohort"].isin(hidden)
            frame["cohort_size"] = privacy.blank(frame["cohort_size"], mask)
            frame["rate"] = privacy.blank(frame["rate"], mask)     # active / rate would give the size
    return frame


def records(frame: pd.DataFrame) -> list[dict]:
    return [{key: _plain(value) for key, value in row.items()} for row in frame.to_dict("records")]
