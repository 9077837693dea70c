"""The data contract (docs/DATA_CONTRACT.md) as data: the tables an export folder
holds, their columns, and the rule each column obeys. The loader checks exactly
these rules; nothing else in the code knows column rules."""

from dataclasses import dataclass

TEXT, DATE, DECIMAL = "text", "date", "decimal"
# the metrics a plan may name; take_rate is a share, from 0 to 1 (a check of its own in checks.py)
TARGET_METRICS = ("billings_usd", "net_revenue_usd", "arr_usd", "take_rate", "hours", "experts_total",
                  "experts_new", "experts_active", "experts_first_paid")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = True
    unique: bool = False
    one_of: tuple[str, ...] = ()          # allowed values, when the column is an enum
    is_country: bool = False              # ISO 3166-1 alpha-2, upper case
    is_lower_case: bool = False
    greater_than: float | None = None
    at_least: float | None = None
    at_most: float | None = None
    references: str | None = None         # "table.column" that must hold the value
    not_before: str | None = None         # another date column of the same row
    pattern: str | None = None            # a text's shape, as a regular expression ...
    pattern_hint: str = ""                # ... and in words ("a month as YYYY-MM")
    max_length: int | None = None         # characters


@dataclass(frozen=True)
class Table:
    name: str
    grain: str
    columns: tuple[Column, ...]
    required: bool = True
    unique_together: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


TABLES: tuple[Table, ...] = (
    Table("experts", "one row per expert who ever signed up", (
        Column("expert_id", unique=True),
        Column("full_name"),
        Column("email", unique=True),
        Column("country", is_country=True),
        Column("domain", is_lower_case=True),
        Column("signup_date", DATE),
        Column("approved_date", DATE, required=False, not_before="signup_date"),
    )),
    Table("clients", "one row per paying client", (
        Column("client_id", unique=True),
        Column("name"),
        Column("segment", one_of=("ai_lab", "enterprise", "startup", "other")),
        Column("country", is_country=True),
    )),
    Table("contracts", "one row per client contract", (
        Column("contract_id", unique=True),
        Column("client_id", references="clients.client_id"),
        Column("start_date", DATE),
        Column("end_date", DATE, required=False, not_before="start_date"),
        Column("bill_rate_usd", DECIMAL, greater_than=0),
        Column("committed_usd", DECIMAL, required=False, at_least=0),
    )),
    Table("work_logs", "one row per expert, contract and day", (
        Column("expert_id", references="experts.expert_id"),
        Column("contract_id", references="contracts.contract_id"),
        Column("work_date", DATE),
        Column("hours", DECIMAL, greater_than=0, at_most=24),
        Column("pay_rate_usd", DECIMAL, greater_than=0, at_most=2000),
    ), unique_together=("expert_id", "contract_id", "work_date")),
    Table("bonuses", "one row per bonus paid to an expert", (
        Column("bonus_id", unique=True),
        Column("expert_id", references="experts.expert_id"),
        Column("paid_date", DATE),
        Column("amount_usd", DECIMAL, greater_than=0),
        Column("kind", one_of=("performance", "referral", "other")),
    )),
    Table("valuations", "one row per valuation mark of the company", (
        Column("as_of_date", DATE, unique=True),
        Column("round"),
        Column("post_money_usd", DECIMAL, greater_than=0),
    ), required=False),
    Table("targets", "one row per planned figure", (
        Column("metric", one_of=TARGET_METRICS),
        Column("month", pattern=r"20\d{2}-(0[1-9]|1[0-2])", pattern_hint="a month as YYYY-MM from 2000-01 to 2099-12"),
        Column("target_value", DECIMAL, at_least=0),
    ), required=False, unique_together=("metric", "month")),
    Table("events", "one row per event worth marking on the time charts", (
        Column("event_date", DATE),
        Column("title", max_length=80),
        Column("kind", one_of=("round", "client", "product", "pricing", "other")),
        Column("investor_visible", required=False, one_of=("true", "false")),
    ), required=False),
)

EXPORT_SUFFIXES = (".csv", ".parquet")
