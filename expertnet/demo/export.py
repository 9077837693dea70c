"""Step 5: the drawn tables written as an export folder that follows the data contract.
Ids, names and emails are formatted by DuckDB while writing."""

from pathlib import Path

import duckdb

from expertnet.demo.network import FIRST_NAMES, LAST_NAMES, DemoShape
from expertnet.ingest.load import Progress, _quiet


# How each export file is written from the drawn tables: ids and names are made here.
EXPORT_SELECTS = {
    "experts": """SELECT printf('E%07d', expert_n + 1) AS expert_id,
                         $first_names[first_n + 1] || ' ' || $last_names[last_n + 1] AS full_name,
                         lower($first_names[first_n + 1] || '.' || $last_names[last_n + 1])
                             || '.' || (expert_n + 1) || '@example.com' AS email,
                         country, domain, signup_date, approved_date
                  FROM experts ORDER BY expert_n""",
    "clients": """SELECT printf('C%03d', client_n + 1) AS client_id, name, segment, country
                  FROM clients ORDER BY client_n""",
    "contracts": """SELECT printf('K%04d', contract_n + 1) AS contract_id, printf('C%03d', client_n + 1) AS client_id,
                           start_date, end_date, bill_rate_usd, committed_usd
                    FROM contracts ORDER BY contract_n""",
    "work_logs": """SELECT printf('E%07d', expert_n + 1) AS expert_id, printf('K%04d', contract_n + 1) AS contract_id,
                           work_date, hours, pay_rate_usd
                    FROM work_logs""",
    "bonuses": """SELECT printf('B%08d', row_number() OVER (ORDER BY paid_date, expert_n)) AS bonus_id,
                         printf('E%07d', expert_n + 1) AS expert_id, paid_date, amount_usd, kind
                  FROM bonuses""",
    "valuations": "SELECT * FROM valuations",
}


def write_export(shape: DemoShape, folder: Path, fmt: str = "csv", progress: Progress = _quiet) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for name in EXPORT_SELECTS:
        con.register(name, getattr(shape, name))
    options = "(FORMAT csv, HEADER)" if fmt == "csv" else "(FORMAT parquet)"
    for name, select in EXPORT_SELECTS.items():
        params = {"first_names": FIRST_NAMES, "last_names": LAST_NAMES} if name == "experts" else {}
        target = folder / f"{name}.{fmt}"
        quoted = str(target).replace("'", "''")  # COPY takes no bound parameter for its target
        con.execute(f"COPY ({select}) TO '{quoted}' {options}", params)
        progress(f"wrote {target.name}")
    con.close()
