"""Runs the metric queries in queries/*.sql with bound parameters.

A query names its parameters as `$name`; the runner binds exactly those from the
values it is given, so every value reaches DuckDB as a parameter, never as text.
"""

import re
from functools import lru_cache

import pandas as pd

from .config import QUERIES_DIR

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


@lru_cache(maxsize=None)
def query_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if path.parent != QUERIES_DIR:  # names are the code's own, but never let one climb out
        raise ValueError(f"not a query name: {name!r}")
    return path.read_text()


def parameters_of(name: str) -> set[str]:
    return set(_PARAMETER.findall(query_text(name)))


def run(con, name: str, **values) -> pd.DataFrame:
    """Run queries/<name>.sql on a fresh cursor of `con` (a connection is not thread-safe)."""
    needed = parameters_of(name)
    missing = needed - values.keys()
    if missing:
        raise TypeError(f"query {name} needs {', '.join(sorted(missing))}")
    cursor = con.cursor()
    try:
        return cursor.execute(query_text(name), {k: values[k] for k in needed}).df()
    finally:
        cursor.close()
