"""Who is looking: the three roles and the viewer a page run is for.

Only an investor's figures differ (withheld where they rest on too few experts,
expertnet/metrics/privacy.py); founders and ops see the same numbers, and only
founders manage share links.
"""

from dataclasses import dataclass, field

from expertnet.metrics.filters import Filters

FOUNDER, OPS, INVESTOR = "founder", "ops", "investor"
ROLES = (FOUNDER, OPS, INVESTOR)


@dataclass(frozen=True)
class Viewer:
    role: str
    name: str
    demo_mode: bool = False
    link: object | None = None             # the share_links.ShareLink an investor came through
    locked: Filters = field(default_factory=Filters)
    show_client_names: bool = True
    previewing: bool = False               # a founder or ops looking through a share link

    @property
    def is_investor(self) -> bool:
        return self.role == INVESTOR
