"""Hand-checked KPIs of the small fixture export (tests/fixture_export/, see its README.md).

Every expected value below was computed BY HAND from the CSV rows; the arithmetic is
written next to it. Nothing here asks the code under test (or DuckDB) for an
expectation: the raw-table test at the end uses plain SQL on the base tables only to
cross-check the rollups, and the earnings helpers below only re-check the hand-listed
earnings of each case with NumPy's percentile and the pairwise Gini formula.

Derived amounts of every work log of the fixture (hours x pay rate = pay,
hours x bill rate of the contract = billings). Contracts: K1 C1 $100/h (ends 2024-12-31),
K2 C2 $150/h, K3 C3 $80/h, K4 C4 $120/h, K5 C2 $200/h, K6 C5 $90/h (no work).

  month    expert contract  h  pay/h   pay  billings  client
  2024-05  E01    K2        4   50     200    600     C2
  2024-05  E02    K2        2   60     120    300     C2      -> 2024-05 billings 900 (C2 900)
  2024-06  E01    K1        5   50     250    500     C1
  2024-06  E01    K2        4   50     200    600     C2
  2024-06  E02    K2        2   60     120    300     C2
  2024-06  E03    K3        5   50     250    400     C3
  2024-06  E04    K1        4   50     200    400     C1
  2024-06  E06    K3        2   50     100    160     C3
  2024-06  E07    K1        2  100     200    200     C1      -> 2024-06 billings 2560
                                                                 (C1 1100, C2 900, C3 560)
  2024-07..2025-02: E01 K1 07-08, E05 K2 07-15, E03 K3 08-05, E04 K1 09-10, E08 K2 10-01,
                    E01 K1 12-15, E06 K3 12-20, E09 K4 2025-01-20, E02 K2 2025-02-10
  2025-03  E02    K2        4   60     240    600     C2
  2025-03  E10    K4        2   50     100    240     C4      -> 2025-03 billings 840
  2025-04  (no work logs at all)                              -> 2025-04 billings 0
  2025-05  E01    K2        5   50     250    750     C2
  2025-05  E02    K2        4   60     240    600     C2
  2025-05  E05    K5        4  100     400    800     C2
  2025-05  E06    K3        5   50     250    400     C3
  2025-05  E09    K4        2  100     200    240     C4
  2025-05  E10    K4        4   50     200    480     C4
  2025-05  E04    K3        2   50     100    160     C3
  2025-05  E11    K4        4   50     200    480     C4      -> 2025-05: 30 h, pay 1840, billings 3910
                                                                 (C2 2150, C3 560, C4 1200)
  2025-06  E01    K2        4   50     200    600     C2
  2025-06  E01    K4        5   50     250    600     C4      (E01: two clients in one month)
  2025-06  E02    K2        2   60     120    300     C2
  2025-06  E03    K3        5   50     250    400     C3
  2025-06  E03    K3        5   50     250    400     C3
  2025-06  E12    K3        2   50     100    160     C3
  2025-06  E09    K4        4  100     400    480     C4
  2025-06  E10    K5        2  100     200    400     C2
  2025-06  E11    K4        4   50     200    480     C4
  2025-06  E14    K5        5  100     500   1000     C2      -> 2025-06: 38 h, pay 2470, billings 4820
                                                                 (C2 2300, C3 960, C4 1560)
Bonuses: E02 2024-06 $20, E03 2025-04 $100, E08 2025-05 $30, E05 2025-06 $50, E01 2025-06 $100.
Valuations: 2024-03-31 $5,000,000 (Seed), 2025-05-15 $24,000,000 (Series A).
"""

import csv
import json
import math
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from expertnet import cli
from expertnet.metrics import breakdowns, kpis
from expertnet.metrics.queries import run
from expertnet.metrics.filters import Filters, parse_month
from expertnet.ingest.load import ingest
from expertnet.warehouse import open_read_only

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixture_export"
METRICS_MD = REPO / "docs" / "METRICS.md"         # the product's own, in the repository

# The keys of METRICS.md "Headline KPIs of month M", in its order (written out by hand).
KEYS = (
    "month", "experts_total", "experts_new", "experts_approved_total", "experts_active",
    "activation_rate_90d", "hours", "expert_pay_usd", "bonuses_usd", "payouts_usd", "billings_usd",
    "net_revenue_usd", "take_rate", "arr_usd", "billings_growth_mom", "billings_cmgr_12m",
    "avg_pay_rate_usd", "avg_bill_rate_usd", "hours_per_active_expert",
    "earnings_p50_usd", "earnings_p90_usd", "earnings_p99_usd", "earnings_gini",
    "top1pct_earnings_share", "clients_active", "top_client_share", "top5_client_share",
    "client_hhi", "nrr_12m", "grr_12m", "valuation_usd", "implied_arr_multiple",
)
# The operator keys of METRICS.md, printed after the headline keys in this order (written out by hand).
OPERATOR_KEYS = (
    "billings_growth_yoy", "spread_per_hour_usd", "experts_first_paid", "experts_reactivated",
    "utilization_rate", "days_to_approval_p50", "days_to_first_paid_p50", "top10pct_hours_share",
    "clients_new", "clients_churned", "revenue_new_usd", "revenue_reactivated_usd", "revenue_expansion_usd",
    "revenue_contraction_usd", "revenue_churned_usd", "quick_ratio", "committed_backlog_usd",
    "contracts_ending_90d", "arr_ending_90d_usd",
)
ALL_KEYS = KEYS + OPERATOR_KEYS
COUNT_KEYS = {"experts_total", "experts_new", "experts_approved_total", "experts_active", "clients_active",
              "experts_first_paid", "experts_reactivated", "clients_new", "clients_churned", "contracts_ending_90d"}


def kpi(**values) -> dict:
    """An expected KPI dict: exactly the headline KEYS (the cases whose operator keys are worked
    out below too carry ALL_KEYS), in METRICS.md order."""
    keys = ALL_KEYS if set(values) & set(OPERATOR_KEYS) else KEYS
    assert set(values) == set(keys), set(values) ^ set(keys)
    return {key: values[key] for key in keys}


def assert_kpis(actual: dict, expected: dict) -> None:
    """Every key of METRICS.md is printed, in order; those of `expected` equal the hand values."""
    assert list(actual) == list(ALL_KEYS)
    wrong = {}
    for key in expected:
        got, want = actual[key], expected[key]
        if want is None or isinstance(want, str):
            ok = got == want
        elif key in COUNT_KEYS:
            ok = isinstance(got, int) and not isinstance(got, bool) and got == want
        else:
            ok = isinstance(got, (int, float)) and got == pytest.approx(want, rel=1e-9, abs=1e-9)
        if not ok:
            wrong[key] = (got, want)
    assert not wrong, "key: (actual, expected by hand)\n" + "\n".join(f"{k}: {v}" for k, v in wrong.items())


# ---------------------------------------------------------------- hand-computed expectations

VALUATION = 24_000_000          # Series A of 2025-05-15 is the latest mark on or before 2025-05-31 / 2025-06-30
COMPANY_ARR_2025_06 = 4820 * 12  # = 57,840: implied_arr_multiple is always the whole company's
COMPANY_ARR_2025_05 = 3910 * 12  # = 46,920

# Earnings (pay + bonuses) > 0 of each case, listed by hand; used below for the
# percentile / Gini / top-1% values and cross-checked with NumPy and the pairwise formula.
EARNINGS = {
    # E01 200+250+100 bonus, E02 120, E03 250+250, E05 50 (bonus only, no hours), E09 400,
    # E10 200, E11 200, E12 100, E14 500
    ("2025-06", "all"): [550, 120, 500, 50, 400, 200, 200, 100, 500],
    # E01 250, E02 240, E05 400, E06 250, E09 200, E10 200, E11 200, E04 100, E08 30 (bonus only)
    ("2025-05", "all"): [250, 240, 400, 250, 200, 200, 200, 100, 30],
    # E03 100 (bonus in a month without any work log)
    ("2025-04", "all"): [100],
    # E01 250+200, E02 120+20 bonus, E03 250, E04 200, E06 100, E07 200
    ("2024-06", "all"): [450, 140, 250, 200, 100, 200],
    # software: E01 550, E02 120, E05 50, E10 200, E12 100, E14 500
    ("2025-06", "software"): [550, 120, 50, 200, 100, 500],
    # IN: E03 500, E05 50, E10 200, E12 100
    ("2025-06", "IN"): [500, 50, 200, 100],
    # cohort 2025-03: E10 200, E11 200, E12 100 (E13 never worked)
    ("2025-06", "cohort 2025-03"): [200, 200, 100],
    # finance + US: E09 200, E11 200, E04 100, E08 30 (bonus only)
    ("2025-05", "finance US"): [200, 200, 100, 30],
}

# Month 2025-06, all experts: the month whose year-ago month (2024-06) holds data.
ALL_2025_06 = kpi(
    month="2025-06",
    experts_total=15,            # E01..E15 all signed up by 2025-06-30
    experts_new=2,               # E14 (06-02), E15 (06-20)
    experts_approved_total=12,   # all but E07, E13, E15 (no approved_date)
    experts_active=8,            # E01 E02 E03 E09 E10 E11 E12 E14
    activation_rate_90d=2 / 4,   # cohort 2025-03 = E10 E11 E12 E13: E10 day 14 yes, E11 first work
                                 # day 90 (05-30) no, E12 day 89 (06-07) yes, E13 never worked no
    hours=38,                    # 4+5+2+5+5+2+4+2+4+5
    expert_pay_usd=2470,         # 200+250+120+250+250+100+400+200+200+500
    bonuses_usd=150,             # E05 50 + E01 100
    payouts_usd=2620,            # 2470 + 150
    billings_usd=4820,           # 600+600+300+400+400+160+480+400+480+1000
    net_revenue_usd=2200,        # 4820 - 2620
    take_rate=2200 / 4820,
    arr_usd=57840,               # 4820 * 12
    billings_growth_mom=4820 / 3910 - 1,
    billings_cmgr_12m=(4820 / 2560) ** (1 / 12) - 1,
    avg_pay_rate_usd=65,         # 2470 / 38
    avg_bill_rate_usd=4820 / 38,
    hours_per_active_expert=38 / 8,
    # sorted earnings 50 100 120 200 200 400 500 500 550 (n=9, sum 2620)
    earnings_p50_usd=200,        # rank (9-1)*0.5 = 4 -> x[4] = 200
    earnings_p90_usd=510,        # rank 7.2 -> 500 + 0.2*(550-500)
    earnings_p99_usd=546,        # rank 7.92 -> 500 + 0.92*50
    earnings_gini=16640 / 47160,  # pairwise sum |xi-xj| = 16640; 2 n^2 mean = 2*81*2620/9 = 47160
    top1pct_earnings_share=550 / 2620,  # ceil(9/100) = 1 highest earner: E01 550
    clients_active=3,            # C2 2300, C3 960, C4 1560 (C1 churned: contract ended 2024-12-31)
    top_client_share=2300 / 4820,
    top5_client_share=1.0,       # only 3 clients
    client_hhi=10000 * (2300**2 + 960**2 + 1560**2) / 4820**2,
    nrr_12m=(0 + 2300 + 960) / 2560,                   # base 2024-06: C1 1100, C2 900, C3 560
    grr_12m=(min(0, 1100) + min(2300, 900) + min(960, 560)) / 2560,  # = 1460 / 2560
    valuation_usd=VALUATION,
    implied_arr_multiple=VALUATION / COMPANY_ARR_2025_06,
    # operator keys
    billings_growth_yoy=4820 / 2560 - 1,        # 2024-06: C1 1100 + C2 900 + C3 560
    spread_per_hour_usd=(4820 - 2470) / 38,
    experts_first_paid=2,        # E12 (first work 06-07), E14 (06-16); E03 worked in 2024
    experts_reactivated=1,       # E03: works in June, not in May, worked in 2024
    utilization_rate=8 / 12,     # all 8 active experts are approved (E12 03-12, E14 06-05) of 12
    days_to_approval_p50=3,      # approved in June: E14 06-02 -> 06-05
    days_to_first_paid_p50=(89 + 14) / 2,  # E12 03-10 -> 06-07 = 89 days; E14 06-02 -> 06-16 = 14
    top10pct_hours_share=10 / 38,  # ceil(8/10) = 1 expert: E03 5+5 = 10 of 38 hours
    clients_new=0,
    clients_churned=0,           # C2, C3, C4 billed in both May and June
    revenue_new_usd=0,
    revenue_reactivated_usd=0,
    revenue_expansion_usd=910,   # C2 2150 -> 2300 (+150), C3 560 -> 960 (+400), C4 1200 -> 1560 (+360)
    revenue_contraction_usd=0,
    revenue_churned_usd=0,
    quick_ratio=None,            # 910 / 0: nothing lost
    # K3 5000 - 34 h x 80 = 2280; K5 20000 - (4 + 2 + 5) h x 200 = 17800; K1 ended 2024-12-31
    committed_backlog_usd=2280 + 17800,
    contracts_ending_90d=1,      # K4 ends 2025-09-28 = day 90 after 06-30; K7 ends 09-29 = day 91
    arr_ending_90d_usd=12 * 1560,  # K4 in June: (5 + 4 + 4) h x 120
)

# Month 2025-05, all experts: the month before 2025-04 has no billings -> growth is null.
ALL_2025_05 = kpi(
    month="2025-05",
    experts_total=13,            # E01..E13
    experts_new=0,
    experts_approved_total=11,   # E01-E06, E08, E09, E10, E11 (03-20), E12
    experts_active=8,            # E01 E02 E04 E05 E06 E09 E10 E11
    activation_rate_90d=None,    # cohort 2025-02 is empty: 0 / 0
    hours=30,                    # 5+4+4+5+2+4+2+4
    expert_pay_usd=1840,         # 250+240+400+250+200+200+100+200
    bonuses_usd=30,              # E08 (no hours in May)
    payouts_usd=1870,
    billings_usd=3910,           # 750+600+800+400+240+480+160+480
    net_revenue_usd=2040,        # 3910 - 1870
    take_rate=2040 / 3910,
    arr_usd=46920,
    billings_growth_mom=None,    # 2025-04 billings are 0
    billings_cmgr_12m=(3910 / 900) ** (1 / 12) - 1,   # 2024-05 billings 600 + 300
    avg_pay_rate_usd=1840 / 30,
    avg_bill_rate_usd=3910 / 30,
    hours_per_active_expert=30 / 8,
    # sorted 30 100 200 200 200 240 250 250 400 (n=9, sum 1870)
    earnings_p50_usd=200,        # x[4]
    earnings_p90_usd=280,        # rank 7.2 -> 250 + 0.2*(400-250)
    earnings_p99_usd=388,        # rank 7.92 -> 250 + 0.92*150
    earnings_gini=8280 / 33660,  # pairwise sum 2*4140 = 8280; 2*81*1870/9 = 33660
    top1pct_earnings_share=400 / 1870,
    clients_active=3,            # C2 2150, C3 560, C4 1200
    top_client_share=2150 / 3910,
    top5_client_share=1.0,
    client_hhi=10000 * (2150**2 + 560**2 + 1200**2) / 3910**2,
    nrr_12m=2150 / 900,          # base 2024-05: C2 900 only
    grr_12m=min(2150, 900) / 900,
    valuation_usd=VALUATION,     # 2025-05-15 mark is on or before 2025-05-31
    implied_arr_multiple=VALUATION / COMPANY_ARR_2025_05,
    # operator keys: nobody worked in April, so every May worker is new or back
    billings_growth_yoy=3910 / 900 - 1,         # 2024-05: C2 900 only
    spread_per_hour_usd=(3910 - 1840) / 30,
    experts_first_paid=1,        # E11 (first work 05-30)
    experts_reactivated=7,       # E01 E02 E04 E05 E06 E09 E10: all worked before April
    utilization_rate=8 / 11,     # the 8 active are all approved by 05-31, of 11 approved
    days_to_approval_p50=None,   # nobody approved in May
    days_to_first_paid_p50=90,   # E11 03-01 -> 05-30
    top10pct_hours_share=5 / 30,  # ceil(8/10) = 1 expert with the most hours: 5 (E01 or E06)
    clients_new=0,               # C2 (2024-05), C3 (2024-06), C4 (2025-01) were all billed before
    clients_churned=0,           # April billed nobody
    revenue_new_usd=0,
    revenue_reactivated_usd=3910,  # C2 2150 + C3 560 + C4 1200, none billed in April
    revenue_expansion_usd=0,
    revenue_contraction_usd=0,
    revenue_churned_usd=0,
    quick_ratio=None,
    committed_backlog_usd=(5000 - 22 * 80) + (20000 - 4 * 200),   # K3 22 h to date; K5 E05 4 h
    contracts_ending_90d=0,      # 05-31 + 90 days = 08-29: K4 (09-28) is later
    arr_ending_90d_usd=0,
)

# Month 2024-07, all experts: client C3 churns and C1, C2 spend less (operator keys only; the
# headline keys of this month are not worked out by hand).
BRIDGE_2024_07 = {
    "clients_new": 0, "clients_churned": 1,       # C3: 560 in June (E03 5 h + E06 2 h at 80), none in July
    "revenue_new_usd": 0, "revenue_reactivated_usd": 0, "revenue_expansion_usd": 0,
    "revenue_contraction_usd": (1100 - 400) + (900 - 750),  # C1 K1 11 h -> 4 h at 100; C2 6 h -> 5 h at 150
    "revenue_churned_usd": 560,
    "quick_ratio": 0,             # 0 gained / 1410 lost
}

# Month 2025-04: no work log at all, one bonus -> the zero-denominator month.
ALL_2025_04 = kpi(
    month="2025-04",
    experts_total=13, experts_new=0, experts_approved_total=11,
    experts_active=0,
    activation_rate_90d=1.0,     # cohort 2025-01 = E09 (signup 01-08, worked 01-20: day 12)
    hours=0, expert_pay_usd=0,
    bonuses_usd=100,             # E03's performance bonus
    payouts_usd=100, billings_usd=0,
    net_revenue_usd=-100,        # 0 - 100
    take_rate=None,              # / 0
    arr_usd=0,
    billings_growth_mom=-1.0,    # 0 / 840 - 1
    billings_cmgr_12m=None,      # 2024-04 billings are 0
    avg_pay_rate_usd=None, avg_bill_rate_usd=None, hours_per_active_expert=None,
    earnings_p50_usd=100, earnings_p90_usd=100, earnings_p99_usd=100,   # one earner: E03 100
    earnings_gini=0.0,           # a single expert
    top1pct_earnings_share=1.0,
    clients_active=0,
    top_client_share=None, top5_client_share=None,
    client_hhi=None,             # shares of zero billings do not exist
    nrr_12m=None, grr_12m=None,  # no client billed in 2024-04
    valuation_usd=5_000_000,     # Series A mark (2025-05-15) is later than 2025-04-30
    implied_arr_multiple=None,   # ARR 0
)

# --domain software, 2025-06: E01 E02 E05 E07 E10 E12 E14.
SOFTWARE_2025_06 = kpi(
    month="2025-06",
    experts_total=7, experts_new=1,  # E14
    experts_approved_total=6,    # all but E07
    experts_active=5,            # E01 E02 E10 E12 E14
    activation_rate_90d=1.0,     # cohort 2025-03 software = E10 (day 14), E12 (day 89)
    hours=20,                    # E01 4+5, E02 2, E10 2, E12 2, E14 5
    expert_pay_usd=1370,         # 450 + 120 + 200 + 100 + 500
    bonuses_usd=150,             # E05 50 + E01 100
    payouts_usd=1520,
    billings_usd=3060,           # 1200 + 300 + 400 + 160 + 1000
    net_revenue_usd=1540,
    take_rate=1540 / 3060,
    arr_usd=36720,
    billings_growth_mom=3060 / 2630 - 1,   # 2025-05 software: E01 750, E02 600, E05 800, E10 480
    billings_cmgr_12m=(3060 / 1600) ** (1 / 12) - 1,  # 2024-06 software: E01 1100, E02 300, E07 200
    avg_pay_rate_usd=68.5,       # 1370 / 20
    avg_bill_rate_usd=153,       # 3060 / 20
    hours_per_active_expert=4,   # 20 / 5
    # sorted 50 100 120 200 500 550 (n=6, sum 1520)
    earnings_p50_usd=160,        # rank 2.5 -> 120 + 0.5*80
    earnings_p90_usd=525,        # rank 4.5 -> 500 + 0.5*50
    earnings_p99_usd=547.5,      # rank 4.95 -> 500 + 0.95*50
    earnings_gini=7560 / 18240,  # pairwise 2*3780; 2*36*1520/6 = 18240
    top1pct_earnings_share=550 / 1520,
    clients_active=3,            # C2 600+300+400+1000 = 2300, C4 600 (E01), C3 160 (E12)
    top_client_share=2300 / 3060,
    top5_client_share=1.0,
    client_hhi=10000 * (2300**2 + 600**2 + 160**2) / 3060**2,
    nrr_12m=(0 + 2300) / 1600,   # base 2024-06 software: C1 500+200 = 700, C2 600+300 = 900
    grr_12m=(0 + 900) / 1600,
    valuation_usd=VALUATION,
    implied_arr_multiple=VALUATION / COMPANY_ARR_2025_06,   # whole company, not the filter
)

# --country IN, 2025-06: E03 E05 E06 E10 E12 E15.
IN_2025_06 = kpi(
    month="2025-06",
    experts_total=6, experts_new=1,  # E15
    experts_approved_total=5,    # all but E15
    experts_active=3,            # E03 E10 E12
    activation_rate_90d=1.0,     # cohort 2025-03 IN = E10, E12
    hours=14,                    # E03 5+5, E10 2, E12 2
    expert_pay_usd=800,          # 500 + 200 + 100
    bonuses_usd=50,              # E05
    payouts_usd=850,
    billings_usd=1360,           # 800 + 400 + 160
    net_revenue_usd=510,
    take_rate=0.375,             # 510 / 1360
    arr_usd=16320,
    billings_growth_mom=1360 / 1680 - 1,   # 2025-05 IN: E05 800, E06 400, E10 480
    billings_cmgr_12m=(1360 / 560) ** (1 / 12) - 1,  # 2024-06 IN: E03 400, E06 160
    avg_pay_rate_usd=800 / 14,
    avg_bill_rate_usd=1360 / 14,
    hours_per_active_expert=14 / 3,
    # sorted 50 100 200 500 (n=4, sum 850)
    earnings_p50_usd=150,        # rank 1.5
    earnings_p90_usd=410,        # rank 2.7 -> 200 + 0.7*300
    earnings_p99_usd=491,        # rank 2.97 -> 200 + 0.97*300
    earnings_gini=2900 / 6800,   # pairwise 2*1450; 2*16*850/4 = 6800
    top1pct_earnings_share=500 / 850,
    clients_active=2,            # C3 800+160 = 960, C2 400 (E10 on K5)
    top_client_share=960 / 1360,
    top5_client_share=1.0,
    client_hhi=10000 * (960**2 + 400**2) / 1360**2,
    nrr_12m=960 / 560,           # base 2024-06 IN: C3 560
    grr_12m=1.0,
    valuation_usd=VALUATION,
    implied_arr_multiple=VALUATION / COMPANY_ARR_2025_06,
)

# --cohort 2025-03, 2025-06: E10 E11 E12 E13.
COHORT_2025_03_2025_06 = kpi(
    month="2025-06",
    experts_total=4, experts_new=0,
    experts_approved_total=3,    # E13 not approved
    experts_active=3,            # E10 E11 E12
    activation_rate_90d=0.5,     # the cohort of M-3 is this cohort: 2 of 4
    hours=8,                     # 2 + 4 + 2
    expert_pay_usd=500,          # 200 + 200 + 100
    bonuses_usd=0,
    payouts_usd=500,
    billings_usd=1040,           # 400 + 480 + 160
    net_revenue_usd=540,
    take_rate=540 / 1040,
    arr_usd=12480,
    billings_growth_mom=1040 / 960 - 1,  # 2025-05: E10 480, E11 480
    billings_cmgr_12m=None,      # the cohort did not exist in 2024-06: billings 0
    avg_pay_rate_usd=62.5,       # 500 / 8
    avg_bill_rate_usd=130,       # 1040 / 8
    hours_per_active_expert=8 / 3,
    # sorted 100 200 200 (n=3, sum 500)
    earnings_p50_usd=200,        # rank 1
    earnings_p90_usd=200,        # rank 1.8 -> 200 + 0.8*0
    earnings_p99_usd=200,
    earnings_gini=400 / 3000,    # pairwise 4*100 = 400; 2*9*500/3 = 3000
    top1pct_earnings_share=0.4,  # 200 / 500
    clients_active=3,            # C2 400 (E10), C4 480 (E11), C3 160 (E12)
    top_client_share=480 / 1040,
    top5_client_share=1.0,
    client_hhi=10000 * (400**2 + 480**2 + 160**2) / 1040**2,
    nrr_12m=None, grr_12m=None,  # no billings of this cohort in 2024-06
    valuation_usd=VALUATION,
    implied_arr_multiple=VALUATION / COMPANY_ARR_2025_06,
)

# --domain finance --country US, 2025-05: E04 E08 E09 E11.
FINANCE_US_2025_05 = kpi(
    month="2025-05",
    experts_total=4, experts_new=0, experts_approved_total=4,
    experts_active=3,            # E04 E09 E11
    activation_rate_90d=None,    # cohort 2025-02 empty
    hours=8,                     # E09 2, E11 4, E04 2
    expert_pay_usd=500,          # 200 + 200 + 100
    bonuses_usd=30,              # E08
    payouts_usd=530,
    billings_usd=880,            # 240 + 480 + 160
    net_revenue_usd=350,
    take_rate=350 / 880,
    arr_usd=10560,
    billings_growth_mom=None,    # 2025-04: 0
    billings_cmgr_12m=None,      # 2024-05: only E01, E02 (software) worked
    avg_pay_rate_usd=62.5, avg_bill_rate_usd=110, hours_per_active_expert=8 / 3,
    # sorted 30 100 200 200 (n=4, sum 530)
    earnings_p50_usd=150,        # rank 1.5
    earnings_p90_usd=200,        # rank 2.7 between 200 and 200
    earnings_p99_usd=200,
    earnings_gini=1220 / 4240,   # pairwise 2*610; 2*16*530/4 = 4240
    top1pct_earnings_share=200 / 530,
    clients_active=2,            # C4 240+480 = 720, C3 160
    top_client_share=720 / 880,
    top5_client_share=1.0,
    client_hhi=10000 * (720**2 + 160**2) / 880**2,
    nrr_12m=None, grr_12m=None,
    valuation_usd=VALUATION,
    implied_arr_multiple=VALUATION / COMPANY_ARR_2025_05,
)

# --cohort 2024-09, 2025-06: only E08, who earned nothing in June -> every sum is 0.
COHORT_2024_09_2025_06 = kpi(
    month="2025-06",
    experts_total=1, experts_new=0, experts_approved_total=1, experts_active=0,
    activation_rate_90d=None,    # cohort 2025-03 and cohort filter 2024-09: nobody
    hours=0, expert_pay_usd=0, bonuses_usd=0, payouts_usd=0, billings_usd=0, net_revenue_usd=0,
    take_rate=None, arr_usd=0,
    billings_growth_mom=None, billings_cmgr_12m=None,  # 2025-05 and 2024-06: 0
    avg_pay_rate_usd=None, avg_bill_rate_usd=None, hours_per_active_expert=None,
    earnings_p50_usd=None, earnings_p90_usd=None, earnings_p99_usd=None,  # no earner
    earnings_gini=None, top1pct_earnings_share=None,
    clients_active=0, top_client_share=None, top5_client_share=None, client_hhi=None,
    nrr_12m=None, grr_12m=None,
    valuation_usd=VALUATION,
    implied_arr_multiple=VALUATION / COMPANY_ARR_2025_06,
)

# Month 2024-06, all experts: the base month of 2025-06; nobody of its M-3 cohort activated in time.
ALL_2024_06 = kpi(
    month="2024-06",
    experts_total=7,             # E01..E07
    experts_new=2,               # E06 (06-03), E07 (06-10)
    experts_approved_total=6,    # E01..E06 (E07 never approved)
    experts_active=6,            # E01 E02 E03 E04 E06 E07
    activation_rate_90d=0.0,     # cohort 2024-03 = E04: signup 03-01, first work 06-12 = day 103
    hours=24,                    # 5+4+2+5+4+2+2
    expert_pay_usd=1320,         # 250+200+120+250+200+100+200
    bonuses_usd=20,              # E02, in a month in which E02 also worked
    payouts_usd=1340,
    billings_usd=2560,           # 500+600+300+400+400+160+200
    net_revenue_usd=1220,
    take_rate=1220 / 2560,
    arr_usd=30720,
    billings_growth_mom=2560 / 900 - 1,   # 2024-05: 900
    billings_cmgr_12m=None,      # 2023-06: no billings
    avg_pay_rate_usd=55,         # 1320 / 24
    avg_bill_rate_usd=2560 / 24,
    hours_per_active_expert=4,   # 24 / 6
    # E01 450, E02 120+20 = 140, E03 250, E04 200, E06 100, E07 200;
    # sorted 100 140 200 200 250 450 (n=6, sum 1340)
    earnings_p50_usd=200,        # rank 2.5 between 200 and 200
    earnings_p90_usd=350,        # rank 4.5 -> 250 + 0.5*200
    earnings_p99_usd=440,        # rank 4.95 -> 250 + 0.95*200
    earnings_gini=4160 / 16080,  # pairwise 2*2080; 2*36*1340/6 = 16080
    top1pct_earnings_share=450 / 1340,
    clients_active=3,            # C1 1100, C2 900, C3 560
    top_client_share=1100 / 2560,
    top5_client_share=1.0,
    client_hhi=10000 * (1100**2 + 900**2 + 560**2) / 2560**2,
    nrr_12m=None, grr_12m=None,  # no client billed in 2023-06
    valuation_usd=5_000_000,     # Seed, 2024-03-31
    implied_arr_multiple=5_000_000 / 30720,
)

# Month 2024-03, all experts: no work; the Seed mark is dated on the month's last day.
ALL_2024_03 = kpi(
    month="2024-03",
    experts_total=4,             # E01..E04
    experts_new=1,               # E04 (03-01)
    experts_approved_total=4,    # E04 approved 03-05
    experts_active=0,
    activation_rate_90d=None,    # cohort 2023-12: nobody
    hours=0, expert_pay_usd=0, bonuses_usd=0, payouts_usd=0, billings_usd=0, net_revenue_usd=0,
    take_rate=None, arr_usd=0,
    billings_growth_mom=None, billings_cmgr_12m=None,
    avg_pay_rate_usd=None, avg_bill_rate_usd=None, hours_per_active_expert=None,
    earnings_p50_usd=None, earnings_p90_usd=None, earnings_p99_usd=None,
    earnings_gini=None, top1pct_earnings_share=None,
    clients_active=0, top_client_share=None, top5_client_share=None, client_hhi=None,
    nrr_12m=None, grr_12m=None,
    valuation_usd=5_000_000,     # as_of 2024-03-31 is on the last day of M: counts
    implied_arr_multiple=None,
)

CASES = {
    # id: (month, filters, expected, earnings key or None)
    "all-2025-06": ("2025-06", {}, ALL_2025_06, ("2025-06", "all")),
    "all-2025-05": ("2025-05", {}, ALL_2025_05, ("2025-05", "all")),
    "all-2025-04": ("2025-04", {}, ALL_2025_04, ("2025-04", "all")),
    "all-2024-06": ("2024-06", {}, ALL_2024_06, ("2024-06", "all")),
    "all-2024-03": ("2024-03", {}, ALL_2024_03, None),
    "software-2025-06": ("2025-06", {"domain": "software"}, SOFTWARE_2025_06, ("2025-06", "software")),
    "IN-2025-06": ("2025-06", {"country": "IN"}, IN_2025_06, ("2025-06", "IN")),
    "cohort-2025-03-2025-06": ("2025-06", {"cohort": "2025-03"}, COHORT_2025_03_2025_06,
                               ("2025-06", "cohort 2025-03")),
    "finance-US-2025-05": ("2025-05", {"domain": "finance", "country": "US"}, FINANCE_US_2025_05,
                           ("2025-05", "finance US")),
    "cohort-2024-09-2025-06": ("2025-06", {"cohort": "2024-09"}, COHORT_2024_09_2025_06, None),
}


# ---------------------------------------------------------------- the fixture itself

EXPECTED_ROWS = {"experts": 15, "clients": 5, "contracts": 7, "work_logs": 38, "bonuses": 5, "valuations": 2,
                 "targets": 6, "events": 3}
EXPECTED_COLUMNS = {  # DATA_CONTRACT.md
    "experts": {"expert_id", "full_name", "email", "country", "domain", "signup_date", "approved_date"},
    "clients": {"client_id", "name", "segment", "country"},
    "contracts": {"contract_id", "client_id", "start_date", "end_date", "bill_rate_usd", "committed_usd"},
    "work_logs": {"expert_id", "contract_id", "work_date", "hours", "pay_rate_usd"},
    "bonuses": {"bonus_id", "expert_id", "paid_date", "amount_usd", "kind"},
    "valuations": {"as_of_date", "round", "post_money_usd"},
    "targets": {"metric", "month", "target_value"},
    "events": {"event_date", "title", "kind", "investor_visible"},
}


def read_csv(table: str) -> list[dict]:
    with (FIXTURE / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_fixture_files_rows_and_load(tmp_path, fixture_db):
    for table, count in EXPECTED_ROWS.items():
        with (FIXTURE / f"{table}.csv").open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        assert set(header) == EXPECTED_COLUMNS[table] and len(header) == len(EXPECTED_COLUMNS[table]), table
        assert len(read_csv(table)) == count, table
    assert (FIXTURE / "README.md").is_file()
    # it loads through the real loader, and the session warehouse holds every row
    assert ingest(FIXTURE, tmp_path / "w.duckdb").rows == EXPECTED_ROWS
    with open_read_only(str(fixture_db)) as connection:
        for table, count in EXPECTED_ROWS.items():
            assert connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count


def test_fixture_holds_its_edge_cases():
    """The edge cases the README promises, checked on the CSV rows with plain Python."""
    experts = {e["expert_id"]: e for e in read_csv("experts")}
    logs, bonuses = read_csv("work_logs"), read_csv("bonuses")
    client_of = {c["contract_id"]: c["client_id"] for c in read_csv("contracts")}
    worked = {(w["expert_id"], w["work_date"][:7]) for w in logs}
    # an expert who never worked
    assert not any(w["expert_id"] == "E13" for w in logs)
    # bonuses in months without hours: E03 in 2025-04 (nobody works), E08 2025-05, E05 2025-06
    for b in ("E03", "2025-04"), ("E08", "2025-05"), ("E05", "2025-06"):
        assert any((x["expert_id"], x["paid_date"][:7]) == b for x in bonuses) and b not in worked
    assert not any(w["work_date"].startswith("2025-04") for w in logs)
    # C1 billed in 2024-06 (12 months before 2025-06), not in 2025-06
    clients_in = lambda m: {client_of[w["contract_id"]] for w in logs if w["work_date"].startswith(m)}
    assert "C1" in clients_in("2024-06") and "C1" not in clients_in("2025-06")
    assert clients_in("2024-05") and clients_in("2025-05")
    # E01 works for two clients in 2025-06
    assert {client_of[w["contract_id"]] for w in logs
            if w["expert_id"] == "E01" and w["work_date"].startswith("2025-06")} == {"C2", "C4"}
    # the activation edge days of cohort 2025-03
    first = {e: min(w["work_date"] for w in logs if w["expert_id"] == e) for e in ("E10", "E11", "E12")}
    day = lambda e: (date.fromisoformat(first[e]) - date.fromisoformat(experts[e]["signup_date"])).days
    assert (day("E10"), day("E11"), day("E12")) == (14, 90, 89)
    assert date(2025, 3, 1) + timedelta(days=90) == date(2025, 5, 30)
    assert {e["domain"] for e in experts.values()} == {"software", "finance"}
    assert {e["country"] for e in experts.values()} == {"US", "IN", "GB"}


@pytest.mark.parametrize("key", sorted(EARNINGS))
def test_hand_earnings_figures_agree_with_numpy_and_pairwise_gini(key):
    """Re-check the hand-written percentile / Gini / top-1% values of each case."""
    expected = next(e for (m, _, e, k) in CASES.values() if k == key)
    xs = EARNINGS[key]
    n, total = len(xs), sum(xs)
    assert total == expected["payouts_usd"]  # every earner's pay + bonuses is the month's payouts
    for p in (50, 90, 99):
        assert np.percentile(xs, p) == pytest.approx(expected[f"earnings_p{p}_usd"])
    pairwise = sum(abs(a - b) for a in xs for b in xs)
    assert pairwise / (2 * n * n * (total / n)) == pytest.approx(expected["earnings_gini"])
    top = sorted(xs, reverse=True)[:math.ceil(n / 100)]
    assert sum(top) / total == pytest.approx(expected["top1pct_earnings_share"])


# ---------------------------------------------------------------- kpis()

@pytest.fixture(scope="module")
def con(fixture_db):
    # DuckDB read-only, with the same settings the CLI uses (open_read_only), so that the
    # in-process CLI calls below can share the database instance with this connection.
    connection = open_read_only(str(fixture_db))
    yield connection
    connection.close()


@pytest.mark.parametrize("case", list(CASES))
def test_kpis_match_hand_computed_values(con, case):
    month, filters, expected, _ = CASES[case]
    actual = kpis.kpis(con, parse_month(month), Filters.parse(**filters))
    assert_kpis(actual, expected)


def _cli_json(capsys, *args):
    """`python -m expertnet ARGS` in this process (a subprocess costs seconds): parsed stdout."""
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_cli_kpis_json_matches_hand_computed_values(fixture_db):
    # one real subprocess: the command exactly as a person runs it
    done = subprocess.run([sys.executable, "-m", "expertnet", "kpis", "--db", str(fixture_db),
                           "--month", "2025-06", "--format", "json"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    actual = json.loads(done.stdout)
    assert list(actual) == list(ALL_KEYS) == list(kpis.KPI_KEYS)
    if METRICS_MD.is_file():
        assert list(actual) == metrics_md_keys(METRICS_MD.read_text(encoding="utf-8"))
    assert_kpis(actual, ALL_2025_06)


def test_cli_kpis_json_with_filter(con, fixture_db, capsys):
    actual = _cli_json(capsys, "kpis", "--db", str(fixture_db), "--month", "2025-06", "--country", "IN",
                       "--format", "json")
    assert_kpis(actual, IN_2025_06)


# ---------------------------------------------------------------- investor role

def withheld_except(shown: dict, month: str) -> dict:
    """An investor's expected dict: `shown` keys as given, every other figure null."""
    return kpi(**{key: None for key in KEYS} | {"month": month} | shown)


def test_investor_all_experts_2025_06(con):
    # 15 experts signed up and 12 approved are counts >= 11: shown. experts_new 2 and
    # experts_active 8 are counts 1..10: withheld. Every figure rests on the 8 active,
    # 9 earning, 2 bonus-receiving or 4 cohort experts (< 11): withheld. n = 9 earners:
    # p50 needs 22, gini 11, top 1% 1,100. The valuation rests on no expert: shown;
    # implied_arr_multiple rests on the company's 8 active experts: withheld.
    # experts_total 15 is a count >= 11, but 2025-05 shows 13 signed up, and 15 beside it
    # would give away the 2 new signups: withheld (the running count, METRICS.md).
    actual = kpis.kpis(con, parse_month("2025-06"), Filters(), role="investor")
    assert_kpis(actual, withheld_except(
        {"experts_approved_total": 12, "valuation_usd": VALUATION}, "2025-06"))
    may = kpis.kpis(con, parse_month("2025-05"), Filters(), role="investor")
    assert may["experts_total"] == 13   # the 8 withheld steps before it add up to 13: 8 < 13 < 80


def test_investor_small_cohort_withholds_but_shows_zero(con):
    # cohort 2025-03: 4 experts, 3 approved, 3 active -> withheld; experts_new 0 is shown.
    actual = kpis.kpis(con, parse_month("2025-06"), Filters.parse(cohort="2025-03"), role="investor")
    assert_kpis(actual, withheld_except({"experts_new": 0, "valuation_usd": VALUATION}, "2025-06"))
    # cohort 2024-09 (E08 alone): total 1 and approved 1 withheld, new 0 and active 0 shown;
    # the zero sums rest on 0 experts (< 11) and are withheld too.
    actual = kpis.kpis(con, parse_month("2025-06"), Filters.parse(cohort="2024-09"), role="investor")
    assert_kpis(actual, withheld_except(
        {"experts_new": 0, "experts_active": 0, "valuation_usd": VALUATION}, "2025-06"))


def test_investor_cli_json(con, fixture_db, capsys):
    actual = _cli_json(capsys, "kpis", "--db", str(fixture_db), "--month", "2025-06", "--domain", "software",
                       "--role", "investor", "--format", "json")
    # software: 7 signed up, 1 new, 6 approved, 5 active: all counts 1..10 -> withheld
    assert_kpis(actual, withheld_except({"valuation_usd": VALUATION}, "2025-06"))


def test_investor_thresholds_of_metrics_md():
    """The rule of METRICS.md at its edges (the fixture is too small to reach them):
    counts 1..10 withheld, 0 shown; basis < 11 withheld; p50 needs n >= 22, p90 110,
    p99 1,100; gini n >= 11; top 1% ceil(n/100) >= 11, i.e. n >= 1,001."""
    from expertnet.metrics import privacy
    assert [privacy.count_is_withheld(c) for c in (0, 1, 10, 11)] == [False, True, True, False]
    assert [privacy.basis_is_too_small(c) for c in (0, 10, 11)] == [True, True, False]
    for percent, smallest in ((50, 22), (90, 110), (99, 1100)):
        assert privacy.percentile_is_withheld(smallest - 1, percent)
        assert not privacy.percentile_is_withheld(smallest, percent)
    by_key = kpis.KPIS_BY_KEY
    assert privacy._withheld(by_key["earnings_gini"], 10, 0.1)
    assert not privacy._withheld(by_key["earnings_gini"], 11, 0.1)
    assert privacy._withheld(by_key["top1pct_earnings_share"], 1000, 0.1)
    assert not privacy._withheld(by_key["top1pct_earnings_share"], 1001, 0.1)


# ---------------------------------------------------------------- retention

LAST_MONTH = "2025-06"  # the last month with any work log


def cohort_rows(cohort: str, size: int, active: dict[str, int]) -> list[dict]:
    """Rows k = 0 .. LAST_MONTH of one cohort; `active` lists the months with active experts."""
    y, m = map(int, cohort.split("-"))
    ly, lm = map(int, LAST_MONTH.split("-"))
    rows = []
    for k in range((ly - y) * 12 + lm - m + 1):
        label = f"{y + (m - 1 + k) // 12:04d}-{(m - 1 + k) % 12 + 1:02d}"
        a = active.get(label, 0)
        rows.append({"cohort": cohort, "months_since": k, "cohort_size": size, "active": a, "rate": a / size})
    return rows


RETENTION_ALL = (
    cohort_rows("2024-01", 2, {"2024-05": 2, "2024-06": 2, "2024-07": 1, "2024-12": 1,   # E01 E02
                               "2025-02": 1, "2025-03": 1, "2025-05": 2, "2025-06": 2})
    + cohort_rows("2024-02", 1, {"2024-06": 1, "2024-08": 1, "2025-06": 1})              # E03
    + cohort_rows("2024-03", 1, {"2024-06": 1, "2024-09": 1, "2025-05": 1})              # E04
    + cohort_rows("2024-05", 1, {"2024-07": 1, "2025-05": 1})                            # E05
    + cohort_rows("2024-06", 2, {"2024-06": 2, "2024-12": 1, "2025-05": 1})              # E06 E07
    + cohort_rows("2024-09", 1, {"2024-10": 1})                                          # E08
    + cohort_rows("2025-01", 1, {"2025-01": 1, "2025-05": 1, "2025-06": 1})              # E09
    + cohort_rows("2025-03", 4, {"2025-03": 1, "2025-05": 2, "2025-06": 3})              # E10-E13
    + cohort_rows("2025-06", 2, {"2025-06": 1})                                          # E14 E15
)
RETENTION_IN = (
    cohort_rows("2024-02", 1, {"2024-06": 1, "2024-08": 1, "2025-06": 1})                # E03
    + cohort_rows("2024-05", 1, {"2024-07": 1, "2025-05": 1})                            # E05
    + cohort_rows("2024-06", 1, {"2024-06": 1, "2024-12": 1, "2025-05": 1})              # E06
    + cohort_rows("2025-03", 2, {"2025-03": 1, "2025-05": 1, "2025-06": 2})              # E10 E12
    + cohort_rows("2025-06", 1, {})                                                      # E15
)
RETENTION_COHORT_2025_03 = [
    {"cohort": "2025-03", "months_since": 0, "cohort_size": 4, "active": 1, "rate": 0.25},
    {"cohort": "2025-03", "months_since": 1, "cohort_size": 4, "active": 0, "rate": 0.0},
    {"cohort": "2025-03", "months_since": 2, "cohort_size": 4, "active": 2, "rate": 0.5},
    {"cohort": "2025-03", "months_since": 3, "cohort_size": 4, "active": 3, "rate": 0.75},
]


def test_retention_row_counts_by_hand():
    # 18 + 17 + 16 + 14 + 13 + 10 + 6 + 4 + 1 months from each cohort to 2025-06
    assert len(RETENTION_ALL) == 99
    assert len(RETENTION_IN) == 17 + 14 + 13 + 4 + 1


def assert_retention(actual: list[dict], expected: list[dict]) -> None:
    assert [list(r) for r in actual] == [["cohort", "months_since", "cohort_size", "active", "rate"]] * len(actual)
    assert [(r["cohort"], r["months_since"], r["cohort_size"], r["active"]) for r in actual] == \
           [(r["cohort"], r["months_since"], r["cohort_size"], r["active"]) for r in expected]
    assert [r["rate"] for r in actual] == pytest.approx([r["rate"] for r in expected])


@pytest.mark.parametrize("filters, expected", [
    ({}, RETENTION_ALL),
    ({"country": "IN"}, RETENTION_IN),
    ({"cohort": "2025-03"}, RETENTION_COHORT_2025_03),
], ids=["all", "IN", "cohort-2025-03"])
def test_retention_matches_hand_computed_rows(con, filters, expected):
    assert_retention(kpis.records(kpis.retention(con, Filters.parse(**filters))), expected)


def test_retention_investor_withholds_small_cohorts(con):
    # every cohort of the fixture has fewer than 11 experts: all rows are withheld whole
    assert kpis.records(kpis.retention(con, Filters(), role="investor")) == []


def test_cli_retention_json(con, fixture_db, capsys):
    actual = _cli_json(capsys, "retention", "--db", str(fixture_db), "--cohort", "2025-03", "--format", "json")
    assert_retention(actual, RETENTION_COHORT_2025_03)


# ---------------------------------------------------------------- rollups vs raw tables

RAW_BY_MONTH = """
WITH kept AS (
    SELECT expert_id FROM experts WHERE $domain IS NULL OR domain = $domain
), months AS (
    SELECT CAST(m AS DATE) AS month
    FROM range(TIMESTAMP '2024-04-01', TIMESTAMP '2025-08-01', INTERVAL 1 MONTH) t(m)
), work AS (
    SELECT CAST(date_trunc('month', w.work_date) AS DATE) AS month,
           sum(w.hours) AS hours,
           sum(w.hours * w.pay_rate_usd) AS expert_pay_usd,
           sum(w.hours * c.bill_rate_usd) AS billings_usd,
           count(DISTINCT w.expert_id) AS experts_active
    FROM work_logs w JOIN contracts c ON c.contract_id = w.contract_id
    WHERE w.expert_id IN (SELECT expert_id FROM kept)
    GROUP BY 1
), paid AS (
    SELECT CAST(date_trunc('month', paid_date) AS DATE) AS month, sum(amount_usd) AS bonuses_usd
    FROM bonuses WHERE expert_id IN (SELECT expert_id FROM kept)
    GROUP BY 1
)
SELECT strftime(months.month, '%Y-%m') AS month,
       coalesce(work.hours, 0), coalesce(work.expert_pay_usd, 0), coalesce(work.billings_usd, 0),
       coalesce(paid.bonuses_usd, 0), coalesce(work.experts_active, 0)
FROM months LEFT JOIN work USING (month) LEFT JOIN paid USING (month)
ORDER BY 1
"""


@pytest.mark.parametrize("domain", [None, "finance"])
def test_rollups_agree_with_raw_tables(con, domain):
    raw = con.execute(RAW_BY_MONTH, {"domain": domain}).fetchall()
    series = kpis.kpi_series(con, date(2024, 4, 1), date(2025, 7, 1), Filters(domain=domain))
    columns = ["month", "hours", "expert_pay_usd", "billings_usd", "bonuses_usd", "experts_active"]
    from_rollups = [tuple(row) for row in series[columns].itertuples(index=False)]
    assert len(raw) == len(from_rollups) == 16
    for r, s in zip(raw, from_rollups):
        assert s[0] == r[0]
        assert list(s[1:]) == pytest.approx(list(r[1:])), r[0]
    if domain is None:  # and the raw totals are the hand totals of the three checked months
        by_month = {r[0]: r[1:] for r in raw}
        assert by_month["2025-06"] == pytest.approx((38, 2470, 4820, 150, 8))
        assert by_month["2025-05"] == pytest.approx((30, 1840, 3910, 30, 8))
        assert by_month["2025-04"] == pytest.approx((0, 0, 0, 100, 0))


RAW_RETENTION_EXPERTS = """
WITH work AS (
    SELECT DISTINCT c.client_id, w.expert_id, CAST(date_trunc('month', w.work_date) AS DATE) AS month
    FROM work_logs w JOIN contracts c ON c.contract_id = w.contract_id
)
SELECT strftime(m.month, '%Y-%m'),
       (SELECT count(DISTINCT cur.expert_id) FROM work cur
        WHERE cur.month = m.month AND cur.client_id IN (
            SELECT client_id FROM work base WHERE base.month = CAST(m.month - INTERVAL 12 MONTH AS DATE)))
FROM (SELECT CAST(range AS DATE) AS month
      FROM range(TIMESTAMP '2025-01-01', TIMESTAMP '2025-08-01', INTERVAL 1 MONTH)) m
ORDER BY 1
"""


@pytest.mark.parametrize("min_experts", [1, 2, 3, 100])
def test_retention_experts_floor_is_exact_below_the_threshold(con, min_experts):
    """The investor threshold's count of experts behind NRR/GRR: exact below the threshold,
    never above the exact count, and at least the threshold otherwise."""
    exact = dict(con.execute(RAW_RETENTION_EXPERTS).fetchall())
    # 2025-06: base clients C1, C2, C3 (billed 2024-06); C2 has E01 E02 E10 E14, C3 has E03 E12
    # (E01 also works for C4, which is no base client): 6 experts, the largest client 4.
    # 2025-05: base C2 (2024-05), with E01 E02 E05: 3.
    assert (exact["2025-06"], exact["2025-05"]) == (6, 3)
    floor = run(con, "client_retention_experts_by_month", from_month=date(2025, 1, 1), to_month=date(2025, 7, 1),
                min_experts=min_experts, domain=None, country=None, cohort=None)
    got = {m.strftime("%Y-%m"): n for m, n in zip(floor["month"], floor["current_experts_floor"])}
    assert got.keys() == exact.keys()
    for month, n in exact.items():
        if n < min_experts:
            assert got[month] == n, month
        else:
            assert min_experts <= got[month] <= n, month
    if min_experts == 3:
        assert got["2025-06"] == 4


def test_the_period_earnings_spread_and_histogram_come_from_one_pass(con):
    """2025-05 + 2025-06 by expert (test_app_pages: E01 800, E02 360, E03 500, E04 100, E05 450,
    E06 250, E08 30, E09 600, E10 400, E11 400, E12 100, E14 500): 12 earners, $4,490."""
    both = breakdowns.earnings_of_period(con, date(2025, 5, 1), date(2025, 6, 1))
    assert both["summary"]["experts_earning"] == 12 and both["summary"]["earnings_usd"] == pytest.approx(4490)
    assert both["summary"]["earnings_p50_usd"] == pytest.approx(400)        # ranks 6 and 7 of 12: 400, 400
    # bins of a quarter decade: floor(4 log10 x): 30 -> 5; 100, 100 -> 8; 250 -> 9;
    # 360 400 400 450 500 500 -> 10 (316.2 to 562.3); 600 800 -> 11
    histogram = both["histogram"]
    assert histogram["experts"].tolist() == [1, 2, 1, 6, 2]
    assert histogram["earnings_from_usd"].tolist() == pytest.approx([10 ** 1.25, 100, 10 ** 2.25, 10 ** 2.5, 10 ** 2.75])
    assert histogram["earnings_to_usd"].tolist() == pytest.approx([10 ** 1.5, 10 ** 2.25, 10 ** 2.5, 10 ** 2.75, 1000])
    # an investor: bins merged from the lowest until each holds 11: all twelve in one
    merged = breakdowns.earnings_of_period(con, date(2025, 5, 1), date(2025, 6, 1), role="investor")["histogram"]
    assert merged["experts"].tolist() == [12]
    assert merged["earnings_from_usd"].tolist() == pytest.approx([10 ** 1.25])
    assert merged["earnings_to_usd"].tolist() == pytest.approx([1000])
    # no earners: an empty histogram with its columns, and zero experts
    empty = breakdowns.earnings_of_period(con, date(2020, 1, 1), date(2020, 2, 1))
    assert empty["summary"]["experts_earning"] == 0 and empty["histogram"].empty
    assert list(empty["histogram"].columns) == ["earnings_from_usd", "earnings_to_usd", "experts"]


def test_the_unfiltered_earnings_spread_rollup_is_the_query_it_was_built_with(con):
    params = {"from_month": date(2023, 1, 1), "to_month": date(2025, 12, 1)}
    rollup = run(con, "earnings_spread_of_all_experts", **params)
    computed = run(con, "earnings_distribution", per_month=True, domain=None, country=None, cohort=None, **params)
    assert len(rollup) == len(computed) >= 10
    assert rollup.to_dict("list") == computed.to_dict("list")


def test_the_unfiltered_activity_rollup_is_the_macro_it_was_built_with(con):
    """With no filter the month's work and pay come from month_activity_of_all_experts; a filter
    that keeps every expert (every domain) computes them from the expert months instead: the
    same figures, and months without work as zeros. (The hand-checked cases above read the
    rollup through the KPI series; those with a filter read the macro.)"""
    params = {"from_month": date(2023, 1, 1), "to_month": date(2026, 2, 1), "country": None, "cohort": None}
    domains = [row[0] for row in con.execute("SELECT DISTINCT domain FROM expert_facts").fetchall()]
    assert None not in domains
    rollup = run(con, "activity_by_month", domain=None, **params)
    computed = run(con, "activity_by_month", domain=domains, **params)
    assert len(rollup) == len(computed) == 38
    assert list(rollup["month"]) == list(computed["month"])
    for column in rollup.columns.drop("month"):
        assert rollup[column].tolist() == pytest.approx(computed[column].tolist(), abs=1e-6), column
    assert rollup["billings_usd"].iloc[0] == 0 and rollup["billings_usd"].sum() > 0


# ---------------------------------------------------------------- docs drift

def metrics_md_keys(text: str) -> list[str]:
    """The keys of the first `| key | definition |` table of METRICS.md, in order."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.replace(" ", "").startswith("|key|"))
    keys = []
    for line in lines[start + 2:]:  # skip the header and the |---|---| line
        if not line.startswith("|"):
            break
        cell = line.split("|")[1]
        keys += [k.strip().strip("`") for k in cell.split(",")]
    return keys


def test_metrics_md_keys_match_code():
    keys = metrics_md_keys(METRICS_MD.read_text(encoding="utf-8"))
    assert keys == list(kpis.KPI_KEYS)
    assert keys == list(ALL_KEYS)


# ---------------------------------------------------------------- operator KPIs

def test_the_revenue_bridge_of_a_churn_month(con):
    actual = kpis.kpis(con, parse_month("2024-07"))
    assert {key: actual[key] for key in BRIDGE_2024_07} == pytest.approx(BRIDGE_2024_07)


@pytest.mark.parametrize("filters", [{}, {"domain": "software"}, {"country": "IN"}, {"cohort": "2024-01"}])
def test_the_revenue_bridge_closes_on_the_change_in_billings_every_month(con, filters):
    series = kpis.kpi_series(con, parse_month("2024-01"), parse_month("2025-06"), Filters.parse(**filters))
    before = series["billings_usd"].shift(1).fillna(0)     # 2023-12 billed nothing
    bridge = (series["revenue_new_usd"] + series["revenue_reactivated_usd"] + series["revenue_expansion_usd"]
              - series["revenue_contraction_usd"] - series["revenue_churned_usd"])
    assert (series["billings_usd"] - before).tolist() == pytest.approx(bridge.tolist())
    assert bridge.abs().sum() > 0


def test_plan_against_actual(con, capsys, fixture_db):
    rows = _cli_json(capsys, "plan", "--db", str(fixture_db), "--month", "2025-06", "--format", "json")
    assert rows == [   # ordered by metric; targets.csv of the fixture
        {"metric": "billings_usd", "month": "2025-06", "target": 5000, "actual": 4820,
         "variance": pytest.approx(4820 / 5000 - 1)},
        {"metric": "experts_active", "month": "2025-06", "target": 10, "actual": 8, "variance": pytest.approx(-0.2)},
        {"metric": "experts_first_paid", "month": "2025-06", "target": 3, "actual": 2,
         "variance": pytest.approx(2 / 3 - 1)},
        {"metric": "net_revenue_usd", "month": "2025-06", "target": 0, "actual": 2200, "variance": None},  # target 0
        {"metric": "take_rate", "month": "2025-06", "target": 0.4, "actual": pytest.approx(2200 / 4820),
         "variance": pytest.approx(2200 / 4820 / 0.4 - 1)},
    ]
    assert _cli_json(capsys, "plan", "--db", str(fixture_db), "--month", "2025-04", "--format", "json") == []


def test_the_supply_funnel_of_a_cohort(con):
    funnel = breakdowns.supply_by_segment(con, "cohort", parse_month("2024-07"), parse_month("2025-06"))
    row = funnel.set_index("segment").loc["2025-03"].to_dict()
    assert row == pytest.approx({
        "experts_signed_up": 4,            # E10 E11 E12 E13
        "experts_approved": 3,             # E13 never
        "experts_first_paid": 3,           # E10 03-15, E11 05-30, E12 06-07; E13 never worked
        "experts_active_last_month": 3,    # all three work in June
        "days_to_approval_p50": 2,         # 1 (E10), 2 (E12), 19 (E11)
        "days_to_approval_p90": 2 + 0.8 * (19 - 2),
        "days_to_first_paid_p50": 89,      # 14 (E10), 89 (E12), 90 (E11)
        "days_to_first_paid_p90": 89 + 0.8 * (90 - 89),
        "mature": False,                   # 03-31 + 89 days = 06-28, after the last work log (06-16)
    })
    assert list(funnel["segment"]) == ["2024-09", "2025-01", "2025-03", "2025-06"]   # cohorts with signups


def test_contracts_ending_and_events(con):
    ending = breakdowns.contracts_ending(con, parse_month("2025-06"))
    # K4 ends 2025-09-28, day 90 after 06-30, billed 13 h x 120 in June; K7 ends on day 91
    assert ending.to_dict("list") == {"ending_within_days": [30, 60, 90], "contracts": [0, 0, 1],
                                      "arr_usd": [0, 0, 12 * 1560]}
    founder = breakdowns.events(con)
    assert list(founder["title"]) == ["Seed round", "Acme Labs contract ended", "Launched the medicine vertical",
                                      "Series A round", "Enterprise pricing changed"]
    # an investor: the rounds and the one event marked investor_visible (not false, not empty)
    assert list(breakdowns.events(con, "investor")["title"]) == ["Seed round", "Launched the medicine vertical",
                                                                  "Series A round"]


def test_several_countries_at_once_add_up(con):
    # 2024-06 hours: E01 9, E02 2, E03 5, E04 4, E06 2 (US and IN) and E07 2 (GB): 22 without GB
    both = kpis.kpi_series(con, date(2024, 1, 1), date(2025, 6, 1), Filters.parse(country="us, IN"))
    assert both.set_index("month").loc["2024-06", "hours"] == 22
    us = kpis.kpi_series(con, date(2024, 1, 1), date(2025, 6, 1), Filters(country="US"))
    india = kpis.kpi_series(con, date(2024, 1, 1), date(2025, 6, 1), Filters(country="IN"))
    for key in ("hours", "billings_usd", "payouts_usd", "experts_total", "experts_active", "bonuses_usd"):
        assert both[key].tolist() == pytest.approx((us[key] + india[key]).tolist()), key
    assert Filters.parse(domain=["Software", "finance", "software"]).domain == ("finance", "software")
    assert Filters(country=("IN", "US")) == Filters.parse(country="US,IN")     # one view, one cache entry
    assert Filters.parse(country="US,IN").slug() == "IN_US" and Filters.parse(domain="x").describe() == "domain x"


def test_an_experts_place_in_their_domain_by_hand(con):
    """Software earners, January to June 2025 (work_logs.csv x pay rate, plus bonuses.csv):
    E01 250+200+250 + bonus 100 = 800; E02 240+240+240+120 = 840; E05 400 + 50 = 450;
    E10 100+200+200 = 500; E12 100; E14 500 (E07 earned nothing). Sorted: 100 450 500 500 800 840:
    median 500; p90 at rank 4.5 of 0..5, 800 + 0.5 x 40 = 820."""
    from expertnet.metrics import experts
    first, last = date(2025, 1, 1), date(2025, 6, 1)
    place = experts.domain_place(con, "E02", first, last)
    assert (place["domain"], place["earnings_usd"], place["experts_earning"], place["experts_earning_less"]) \
        == ("software", 840, 6, 5)
    assert (place["domain_p50_usd"], place["domain_p90_usd"]) == pytest.approx((500, 820))
    assert experts.domain_place(con, "E10", first, last)["experts_earning_less"] == 2
    idle = experts.domain_place(con, "E07", first, last)
    assert idle["experts_earning"] == 6 and (idle["earnings_usd"] is None or math.isnan(idle["earnings_usd"]))
