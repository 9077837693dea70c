"""docs/METRICS.md and docs/DATA_CONTRACT.md say what the code does: each is what
expertnet.reference_docs writes from the declarations (run it after changing a KPI or a rule)."""

from expertnet.metrics import kpis
from expertnet import reference_docs
from expertnet.ingest.contract import TABLES


def test_the_committed_docs_are_what_the_declarations_write():
    assert (reference_docs.DOCS / "METRICS.md").read_text(encoding="utf-8") == reference_docs.metrics_md(), \
        "docs/METRICS.md is out of date: python -m expertnet.reference_docs"
    assert (reference_docs.DOCS / "DATA_CONTRACT.md").read_text(encoding="utf-8") == \
        reference_docs.data_contract_md(), "docs/DATA_CONTRACT.md is out of date: python -m expertnet.reference_docs"
    assert (reference_docs.DOCS / "QUEUES.md").read_text(encoding="utf-8") == reference_docs.queues_md(), \
        "docs/QUEUES.md is out of date: python -m expertnet.reference_docs"


def test_every_kpi_and_every_column_is_in_the_docs():
    metrics_md = (reference_docs.DOCS / "METRICS.md").read_text(encoding="utf-8")
    assert all(f"| `{key}` |" in metrics_md for key in kpis.KPI_KEYS)
    contract_md = (reference_docs.DOCS / "DATA_CONTRACT.md").read_text(encoding="utf-8")
    for table in TABLES:
        assert f"### {table.name}: " in contract_md
        assert all(f"| `{c.name}` |" in contract_md for c in table.columns)
    assert "| `hours` | decimal | required; a finite decimal number; > 0; <= 24 |" in contract_md
