"""One expert (founders and ops): who they are, their months, contracts, bonuses, and where they
stand in their domain. Opened from a row or a search result of the Experts page or a queue;
its address (?expert=ID plus the period) opens the same view in a new tab."""

import pandas as pd
import streamlit as st

from expertnet.metrics import experts, queues, units
from expertnet.metrics.formatting import format_value
from expertnet.ui import charts, widgets
from expertnet.ui.context import current
from expertnet.ui.expert_rows import EXPERT_PARAM
from expertnet.ui.text import md


def day(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


context = current()
expert_id = st.query_params.get(EXPERT_PARAM, "")
who = context.call(experts.profile, expert_id, context.role) if expert_id else None

if who is None:
    st.title("Expert")
    if expert_id:
        st.warning(f"No expert has the id {md(expert_id[:80])} in this snapshot.", icon=":material/person_off:")
    st.info("Find an expert on the Experts page (search by id, email or name) or in a queue, and open their row.",
            icon=":material/search:")
    st.page_link("pages/experts.py", label="Go to Experts", icon=":material/badge:")
    st.stop()

first, last = context.first_month, context.last_month
st.title(md(who["full_name"]))
as_of = context.call(queues.as_of_date)
quiet = (f", {(as_of - pd.Timestamp(who['last_work_date']).date()).days:,} days before the snapshot's last day"
         if as_of and not pd.isna(who["last_work_date"]) else "")
st.caption(" · ".join([md(who["expert_id"]), md(who["email"]), f"domain {md(who['domain'])}",
                       f"country {md(who['country'])}", f"signed up {day(who['signup_date'])}",
                       f"approved {day(who['approved_date'])}" if not pd.isna(who["approved_date"]) else "not approved",
                       f"first worked {day(who['first_work_date'])}",
                       f"last worked {day(who['last_work_date'])}{quiet}", context.period_label]))

months = context.call(experts.by_month, who["expert_id"], first, last, context.role)
place = context.call(experts.domain_place, who["expert_id"], first, last, context.role)
totals = months[["hours", "expert_pay_usd", "bonuses_usd", "earnings_usd"]].sum()
rate = totals["earnings_usd"] / totals["hours"] if totals["hours"] else None
earned = not pd.isna(place["earnings_usd"])
tiles = [("Earnings", totals["earnings_usd"], units.USD), ("Hours", totals["hours"], units.HOURS),
         ("Effective rate", rate, units.USD_PER_HOUR), ("Bonuses", totals["bonuses_usd"], units.USD)]
columns = st.columns(len(tiles) + 1)
for column, (label, value, unit) in zip(columns, tiles):
    column.metric(label, format_value(value, unit), border=True)
rank = place["experts_earning"] - place["experts_earning_less"] if earned else None   # 1 = earned the most
columns[-1].metric(
    "In their domain", f"#{rank:,} of {place['experts_earning']:,}" if earned else "—", border=True,
    help=(f"Of the {place['experts_earning']:,} experts of {md(place['domain'])} who earned in the period, "
          f"{place['experts_earning_less']:,} earned less than this expert. " if earned
          else "No earnings in the period. ")
    + f"The domain's median is {format_value(place['domain_p50_usd'], units.USD)}, its p90 "
      f"{format_value(place['domain_p90_usd'], units.USD)}.")

slug = f"expert-{who['expert_id']}"
st.subheader("Month by month")
months["month"] = pd.to_datetime(months["month"])
left, right = st.columns(2)
with left:
    charts.show(lambda: charts.line(months, {"earnings_usd": "Earnings", "expert_pay_usd": "Pay", "bonuses_usd": "Bonuses"},
                            units.USD, "USD per month"), months, f"{slug}-months", "months", filtered=False)
with right:
    charts.show(lambda: charts.bars(months, "month", "hours", units.HOURS, "Hours", x_type="T"),
                months[["month", "hours"]], f"{slug}-hours", "hours", filtered=False)
widgets.figures_table(context, months.assign(month=months["month"].dt.strftime("%Y-%m")),
                      {"hours": units.HOURS, "expert_pay_usd": units.USD, "bonuses_usd": units.USD,
                       "earnings_usd": units.USD, "effective_rate_usd": units.USD_PER_HOUR,
                       "billings_usd": units.USD},
                      {"month": "Month", "hours": "Hours", "expert_pay_usd": "Pay", "bonuses_usd": "Bonuses",
                       "earnings_usd": "Earnings", "effective_rate_usd": "Effective rate",
                       "billings_usd": "Billed to clients"})

st.subheader("Clients and contracts")
st.caption("What each client was billed an hour against what this expert was paid an hour: the spread is what "
           "the company earns on their work (before bonuses).")
worked = context.call(experts.contracts, who["expert_id"], first, last, context.role)
if worked.empty:
    widgets.empty_state("No work in this period.")
else:
    for column in ("first_month", "last_month"):
        worked[column] = pd.to_datetime(worked[column]).dt.strftime("%Y-%m")
    widgets.figures_table(context, worked,
                          {"hours": units.HOURS, "bill_rate_usd": units.USD_PER_HOUR, "pay_rate_usd": units.USD_PER_HOUR,
                           "billings_usd": units.USD, "expert_pay_usd": units.USD, "spread_usd": units.USD,
                           "spread_per_hour_usd": units.USD_PER_HOUR},
                          {"contract_id": "Contract", "client": "Client", "segment": "Segment", "first_month": "From",
                           "last_month": "To", "hours": "Hours", "bill_rate_usd": "Bill rate",
                           "pay_rate_usd": "Pay rate", "billings_usd": "Billings", "expert_pay_usd": "Pay",
                           "spread_usd": "Spread", "spread_per_hour_usd": "Spread per hour"})

st.subheader("Bonuses")
paid = context.call(experts.bonuses, who["expert_id"], first, last, context.role)
if paid.empty:
    st.caption("No bonus paid in this period.")
else:
    paid["paid_date"] = pd.to_datetime(paid["paid_date"]).dt.strftime("%Y-%m-%d")
    widgets.figures_table(context, paid, {"amount_usd": units.USD},
                          {"bonus_id": "Bonus", "paid_date": "Paid", "kind": "Kind", "amount_usd": "Amount"})
