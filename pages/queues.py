"""Queues (founders and ops): the lists an ops lead works every morning, each with its count, its
definition (expertnet/metrics/queues.py, docs/QUEUES.md) and a CSV of every row; a row opens
the expert."""

import streamlit as st

from expertnet.metrics import queues, units
from expertnet.ui import widgets
from expertnet.ui.context import current
from expertnet.ui.expert_rows import table

LABELS = {"expert_id": "Expert", "full_name": "Name", "email": "Email", "domain": "Domain", "country": "Country",
          "signup_date": "Signed up", "approved_date": "Approved", "days_since_approval": "Days since approval",
          "earnings_90d_usd": "Earnings, 90 days", "last_work_date": "Last worked",
          "days_since_last_work": "Days quiet", "span": "Day or week", "starting": "Starting", "hours": "Hours",
          "contract_id": "Contract", "client": "Client", "month": "Month", "pay_rate_usd": "Pay rate",
          "bill_rate_usd": "Bill rate", "loss_usd": "Loss", "days_since_signup": "Days since signup"}


def column_config(queue: queues.Queue) -> dict:
    config = {}
    for column, label in LABELS.items():
        if column in queue.units:
            config[column] = st.column_config.NumberColumn(label, format=queue.units[column].column_format)
        elif column in ("signup_date", "approved_date", "last_work_date", "starting"):
            config[column] = st.column_config.DateColumn(label)
        else:
            config[column] = label
    return config


context = current()
widgets.header(context, "Queues", "Who needs a look today")
as_of = context.fetch("as_of")
st.caption(f"Queues “as of” count days to the snapshot's last day, {as_of:%Y-%m-%d}; the others list what is dated "
           "in the period. The sidebar's filters narrow every queue." if as_of else "The warehouse holds no dates yet.")

fetched = {queue.key: context.fetch(f"queue_{queue.key}") for queue in queues.QUEUES}
for column, queue in zip(st.columns(len(queues.QUEUES)), queues.QUEUES):
    column.metric(queue.title, f"{fetched[queue.key][1]:,}", border=True, help=queue.definition)
# the pills name the queues only: the address holds a pick's label, which must not change with the counts
chosen = st.pills("Queue", list(queues.QUEUES_BY_KEY), key="queue", bind="query-params", default=queues.QUEUES[0].key,
                  format_func=lambda key: queues.QUEUES_BY_KEY[key].title,
                  label_visibility="collapsed") or queues.QUEUES[0].key
queue = queues.QUEUES_BY_KEY[chosen]
rows, size = fetched[queue.key]
st.subheader(queue.title)
st.caption(queue.definition)
if not size:
    st.success("Nobody is on this queue.", icon=":material/check_circle:")
else:
    st.caption(f"{size:,} in all" + (f"; the first {len(rows):,} are listed, the download holds every row"
                                     if size > len(rows) else "") + ". Click a row to open the expert.")
    table(rows, f"queue-{queue.key}", column_config(queue), "pages/queues.py")
    snapshot, args = context.snapshot, (queue.key, context.first_month, context.last_month, context.filters,
                                        context.role)
    st.download_button(f"Download all {size:,} rows (CSV)", lambda: queues.queue_csv(snapshot.con, *args),
                       context.file_name(f"queue-{queue.key}", "csv", as_of=None if queue.of_period else as_of),
                       "text/csv", key=f"queue-{queue.key}-csv", on_click="ignore", icon=":material/download:")
