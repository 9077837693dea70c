"""Runs the metric queries in queries/*.sql with bound parameters.

A query names its parameters as `$name`; the runner binds exactly those from the
values it is given, so every value reaches DuckDB as a parameter, never as text.
"""

import io
import re
from functools import lru_cache

import pandas as pd
import pyarrow
import pyarrow.csv

from expertnet.config import QUERIES_DIR
from expertnet.metrics.spreadsheet import safe_batch

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


@lru_cache(maxsize=None)
def query_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if path.parent != QUERIES_DIR:  # names are the code's own, but never let one climb out
        raise ValueError(f"not a query name: {name!r}")
    return path.read_text()


def parameters_of(name: str) -> set[str]:
    return set(_PARAMETER.findall(query_text(name)))


def _bound(name: str, values: dict) -> dict:
    needed = parameters_of(name)
    missing = needed - values.keys()
    if missing:
        raise TypeError(f"query {name} needs {', '.join(sorted(missing))}")
    return {k: values[k] for k in needed}


def run(con, name: str, **values) -> pd.DataFrame:
    """Run queries/<name>.sql on a fresh cursor of `con` (a connection is not thread-safe)."""
    cursor = con.cursor()
    try:
        return cursor.execute(query_text(name), _bound(name, values)).df()
    finally:
        cursor.close()


def run_to_csv(con, name: str, drop: tuple[str, ...] = (), **values) -> bytes:
    """The whole result of a query as CSV, streamed in Arrow batches rather than held in pandas."""
    cursor = con.cursor()
    out = io.BytesIO()
    try:
        reader = cursor.sql(query_text(name), params=_bound(name, values)).to_arrow_reader(100_000)
        keep = [f.name for f in reader.schema if f.name not in drop]
        schema = pyarrow.schema([reader.schema.field(n) for n in keep])
        with pyarrow.csv.CSVWriter(out, schema) as writer:
            for batch in reader:
                writer.write_batch(safe_batch(batch.select(keep)))
    finally:
        cursor.close()
    return out.getvalue()
