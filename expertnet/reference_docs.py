"""docs/METRICS.md, docs/DATA_CONTRACT.md and docs/QUEUES.md, written from the declarations the code runs on
(the KPI catalogue in metrics/kpis.py, the tables in ingest/contract.py, the queues in
metrics/queues.py), so the docs cannot drift from
what the dashboard computes and what a load checks. `python -m expertnet.reference_docs`
writes them; tests/test_reference_docs.py fails when a committed file is out of date."""

import sys
from pathlib import Path

from expertnet.ingest.checks import FIRST_DATE, LAST_DATE
from expertnet.config import PROJECT_DIR
from expertnet.ingest.contract import DATE, DECIMAL, TABLES
from expertnet.metrics.kpis import KPIS, TERMS
from expertnet.metrics.privacy import MIN_EXPERTS
from expertnet.metrics.queues import QUEUES

DOCS = PROJECT_DIR / "docs"


def metrics_md() -> str:
    rows = "\n".join(f"| `{k.key}` | {k.label} | {k.unit} | {k.about} | {k.definition} |" for k in KPIS)
    terms = "\n".join(f"- **{term}** {meaning}" for term, meaning in TERMS)
    return f"""# Metric definitions

<!-- Written by `python -m expertnet.reference_docs` from expertnet/metrics/kpis.py; do not edit by hand. -->

One meaning for every number the dashboard shows and `python -m expertnet kpis` prints (its
JSON has exactly these keys, in this order). All money is US dollars; a month is a calendar
month.

{terms}

| key | label | unit | what it means | definition |
|---|---|---|---|---|
{rows}

## What an investor sees

Aggregates only, never a name, an email or an expert id. A figure drawn from fewer than
{MIN_EXPERTS} experts is withheld and shown as "fewer than {MIN_EXPERTS} experts", and so is
whatever would give it away by adding or subtracting figures that are shown: see
[disclosure.md](disclosure.md).
"""


def _rule(column) -> str:
    parts = ["required" if column.required else "optional"]
    if column.unique:
        parts.append("unique")
    if column.kind == DATE:
        parts.append(f"YYYY-MM-DD, from {FIRST_DATE} to {LAST_DATE}")
    if column.kind == DECIMAL:
        parts.append("a finite decimal number")
    if column.one_of:
        parts.append("one of " + ", ".join(f"`{v}`" for v in column.one_of))
    if column.is_country:
        parts.append("ISO 3166-1 alpha-2, upper case")
    if column.is_lower_case:
        parts.append("lower case")
    for bound, word in ((column.greater_than, ">"), (column.at_least, ">="), (column.at_most, "<=")):
        if bound is not None:
            parts.append(f"{word} {bound:g}")
    if column.pattern_hint:
        parts.append(column.pattern_hint)
    if column.max_length:
        parts.append(f"at most {column.max_length} characters")
    if column.references:
        parts.append(f"must exist in {column.references}")
    if column.not_before:
        parts.append(f"not before {column.not_before}")
    return "; ".join(parts)


def data_contract_md() -> str:
    sections = []
    for table in TABLES:
        rows = "\n".join(f"| `{c.name}` | {c.kind} | {_rule(c)} |" for c in table.columns)
        notes = [("required file" if table.required else "optional file")]
        if table.unique_together:
            notes.append(f"({', '.join(table.unique_together)}) is unique")
        sections.append(f"### {table.name}: {table.grain}\n\n{'; '.join(notes)}.\n\n"
                        f"| column | type | rule |\n|---|---|---|\n{rows}\n")
    return f"""# Data contract: what a load accepts

<!-- Written by `python -m expertnet.reference_docs` from expertnet/ingest/contract.py; do not edit by hand. -->

An export is a folder with one file per table, `TABLE.csv` or `TABLE.parquet`. Every load is
a full snapshot: the new warehouse replaces the old one whole, or, if any rule below is
broken, nothing changes and every problem is listed as `FILE:LINE: column: reason`.

CSV: UTF-8, comma-separated, a header row, `""`-quoting; an empty field is NULL; column
order is free, names are exact, and an unknown column is an error. A limit is checked on the
value as written (`24.0000000000000001` is not <= 24). A Parquet column holds the scalar type
of its rule (text, a date or a number), never a list, a struct or a map. Export files are
never symbolic links.

A work log's `work_date` is not before its expert's `signup_date` and lies within its
contract's dates. A `take_rate` target is a share, from 0 to 1.

{chr(10).join(sections)}"""


def queues_md() -> str:
    rows = "\n".join(f"| `{q.key}` | {q.title} | {'the period' if q.of_period else 'as of the last day'} | "
                     f"{q.definition} |" for q in QUEUES)
    return f"""# Work queues

<!-- Written by `python -m expertnet.reference_docs` from expertnet/metrics/queues.py; do not edit by hand. -->

The lists an ops lead works every morning, on the **Queues** page (founders and ops; never
through a share link), each with its count and a CSV of every row. The filters (domain,
country, signup cohort) narrow each list. "The last day" is the snapshot's last day: the
latest date on a work log, a signup, an approval or a bonus of the export, so a queue reads the
same whenever it is opened; a queue of "the period" lists what is dated in the period's months.

| key | queue | over | who is on it |
|---|---|---|---|
{rows}
"""


def write() -> list[Path]:
    DOCS.mkdir(exist_ok=True)
    written = []
    for name, text in (("METRICS.md", metrics_md()), ("DATA_CONTRACT.md", data_contract_md()),
                       ("QUEUES.md", queues_md())):
        (DOCS / name).write_text(text, encoding="utf-8")
        written.append(DOCS / name)
    return written


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path.relative_to(PROJECT_DIR)}", file=sys.stderr)
