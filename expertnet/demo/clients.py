"""Step 2: the clients and their contracts. Work concentrates in a few clients (AI labs
first); a quarter of the others leave; bill rates put a 20-35% margin on pay, and large
clients have premium contracts for the top tier of experts."""

from dataclasses import dataclass

import numpy as np

from expertnet.demo.network import DOMAINS, MONTHS, PREMIUM_DOMAINS, SEGMENTS


@dataclass
class Clients:
    segment: list[str]
    start_month: list[int]
    churn_month: list[int | None]
    weight: np.ndarray                     # share of the work each client brings (Zipf)


@dataclass
class Contracts:
    """One row per contract, as arrays over contract index."""
    client: np.ndarray
    domain: np.ndarray
    start: np.ndarray                      # month index
    end: np.ndarray                        # month index, the last month for an open-ended one
    open_ended: np.ndarray
    bill_rate: np.ndarray
    premium: np.ndarray

    def __len__(self) -> int:
        return len(self.client)


def draw_clients(rng) -> Clients:
    segment, start_month, churn_month = [], [], []
    for name, count in SEGMENTS:
        for i in range(count):
            segment.append(name)
            # The largest AI labs are there from the first month and never leave.
            early = name == "ai_lab" and i < 3
            start = 0 if early else int(rng.integers(0, 42))
            start_month.append(start)
            churns = not early and rng.random() < 0.25 and start + 8 < MONTHS
            churn_month.append(int(rng.integers(start + 6, MONTHS)) if churns else None)
    n = len(segment)
    # Work concentrates in a few clients: a Zipf tilt, AI labs first.
    weight = 1 / np.arange(1, n + 1) ** 1.15
    return Clients(segment, start_month, churn_month, weight)


def draw_contracts(rng, clients: Clients) -> Contracts:
    """One standard contract per client and domain it buys, plus premium contracts
    for the top tier of experts at large clients. Contracts run whole months."""
    rows = []  # (client, domain, start_month, end_month or None, bill_rate, is_premium)
    for client in range(len(clients.segment)):
        big = clients.segment[client] in ("ai_lab", "enterprise")
        if client < 3:
            domains = list(range(len(DOMAINS)))
        else:
            domains = sorted(rng.choice(len(DOMAINS), size=int(rng.integers(2, 6)), replace=False))
        for d in domains:
            start = clients.start_month[client] + (0 if client < 3 else int(rng.integers(0, 4)))
            if start >= MONTHS:
                continue
            markup = rng.uniform(1.33, 1.55)
            churn = clients.churn_month[client]
            rows.append((client, d, start, churn, round(DOMAINS[d][2] * markup, 2), False))
            if big and DOMAINS[d][0] in PREMIUM_DOMAINS:
                rows.append((client, d, start, churn, round(rng.uniform(270, 300), 2), True))
    return Contracts(
        client=np.array([c[0] for c in rows]),
        domain=np.array([c[1] for c in rows]),
        start=np.array([c[2] for c in rows]),
        end=np.array([MONTHS - 1 if c[3] is None else c[3] for c in rows]),
        open_ended=np.array([c[3] is None for c in rows]),
        bill_rate=np.array([c[4] for c in rows]),
        premium=np.array([c[5] for c in rows]),
    )
