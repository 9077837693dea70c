"""The shape of the demo company: its calendar, domains, countries, names, client segments
and valuation marks, and the tables a draw produces."""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

MONTHS = 48                                         # 2022-01 .. 2025-12
MONTH_STARTS = np.arange("2022-01", "2026-01", dtype="datetime64[M]").astype("datetime64[D]")
DAYS_IN_MONTH = (np.append(MONTH_STARTS[1:], np.datetime64("2026-01-01")) - MONTH_STARTS).astype(int)
LAST_DAY = np.datetime64("2025-12-31")
ARR_PER_EXPERT_USD = 50.0                           # annualised billings per signed-up expert by 2025-12

# domain, share of signups, typical expert pay in USD per hour
DOMAINS = [("software", .20, 70), ("data_science", .07, 80), ("mathematics", .08, 60),
           ("physics", .04, 65), ("chemistry", .04, 60), ("biology", .05, 55),
           ("medicine", .08, 130), ("law", .07, 120), ("finance", .08, 100),
           ("writing", .13, 26), ("languages", .10, 22), ("education", .06, 32)]
PREMIUM_DOMAINS = ("software", "medicine", "law", "finance", "mathematics")
COUNTRIES = [("US", 24), ("IN", 12), ("GB", 6), ("CA", 5), ("NG", 4), ("PH", 4), ("BR", 4),
             ("DE", 3), ("KE", 3), ("PK", 3), ("FR", 2), ("ES", 2), ("MX", 2), ("EG", 2),
             ("AU", 2), ("PL", 2), ("UA", 2), ("ZA", 2), ("IT", 1), ("NL", 1), ("SE", 1),
             ("IE", 1), ("IL", 1), ("TR", 1), ("VN", 1), ("ID", 1), ("BD", 1), ("AR", 1),
             ("CO", 1), ("CL", 1), ("PT", 1), ("RO", 1), ("GH", 1), ("SG", 1), ("JP", 1),
             ("KR", 1), ("NZ", 1), ("CH", 1), ("GR", 1), ("MA", 1)]
FIRST_NAMES = ("Aisha Alejandro Amara Anjali Arjun Ava Benjamin Camila Chen Chiamaka Daniel Diego "
               "Elena Emeka Emma Fatima Gabriel Hana Hiroshi Ibrahim Ines Isabella James Javier "
               "Jin Kwame Laila Leon Lucas Maria Mateo Mei Mohammed Nadia Noah Olivia Omar Priya "
               "Rahul Ravi Sakura Samuel Sara Sofia Tariq Thandiwe Tomasz Valentina Wei Yusuf Zara").split()
LAST_NAMES = ("Adeyemi Ahmed Ali Andersson Banerjee Bianchi Chen Costa Dubois Fernandez Garcia "
              "Gonzalez Gupta Haddad Hansen Ivanova Jensen Johnson Kim Kowalski Kumar Lee Lopez "
              "Martin Mensah Meyer Miller Moreau Muller Nakamura Nguyen Novak Okafor Okonkwo "
              "Patel Perez Petrov Reddy Rossi Santos Schmidt Shah Silva Singh Smith Suzuki "
              "Tanaka Wang Williams Yilmaz").split()
CLIENT_WORDS_A = ("Aurora Beacon Cobalt Delta Ember Fathom Granite Helix Horizon Ion Juniper Keystone "
                  "Lumen Meridian Nimbus Orbit Parallax Quartz Radiant Summit Tensor Umbra Vector "
                  "Willow Zenith").split()
SEGMENT_SUFFIX = {"ai_lab": "AI", "enterprise": "Group", "startup": "Labs", "other": "Institute"}
# segment, number of clients, share of the work they bring (before the Zipf tilt inside)
SEGMENTS = [("ai_lab", 12), ("enterprise", 36), ("startup", 34), ("other", 8)]
VALUATIONS = [("2022-09-15", "Seed", 40_000_000.0), ("2025-03-20", "Series A", 500_000_000.0)]


@dataclass
class DemoShape:
    """What was drawn, before it is written: numpy arrays and small lists."""
    experts: pa.Table
    clients: pa.Table
    contracts: pa.Table
    work_logs: pa.Table
    bonuses: pa.Table
    valuations: pa.Table


def month_index(days: np.ndarray) -> np.ndarray:
    return (days.astype("datetime64[M]") - np.datetime64("2022-01", "M")).astype(int)
