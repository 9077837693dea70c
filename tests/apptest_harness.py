"""Shared helpers of test_app_pages.py and test_app_security.py: the dashboard under
Streamlit's AppTest, signed in as a given viewer, and readers for what a run shows.

Two things about AppTest that these helpers take care of:

- AppTest resets `PagesManager.uses_pages_directory` before every run, and since this
  project has a pages/ folder, the fresh manager turns Streamlit's old folder-based
  multipage mode back on. In that mode a rerun of, say, the Overview executes
  pages/overview.py alone, without app.py (no sign-in, no sidebar, the previous run's
  filters). A running server turns that mode off for good at the first st.navigation
  call, so `app_env` does the same after AppTest's reset. (What the mode does to the
  very first run of a server is tested on its own in test_app_security.py.)
- st.context.ip_address is a mock under AppTest, so a run is never "this machine".
"""

import hashlib
from pathlib import Path

import pandas as pd
from google.protobuf.message import Message
from streamlit import dataframe_util
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from expertnet.access.roles import FOUNDER, INVESTOR, OPS
from expertnet.metrics.kpis import KPIS
from expertnet.ui.pages import PAGES, pages_for

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 30
FOUNDER_EMAIL, OPS_EMAIL, STRANGER_EMAIL = "f@example.com", "o@example.com", "nobody@example.com"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "dashboard",
        "client_secret": "y" * 32, "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}
ROLES = {"founders": [FOUNDER_EMAIL], "ops": [OPS_EMAIL]}

# (file, title) of the pages each role may open, in the sidebar's order (the page registry)
FOUNDER_PAGES = [(p.file, p.title) for p in pages_for(FOUNDER)]
OPS_PAGES = [(p.file, p.title) for p in pages_for(OPS)]
INVESTOR_PAGES = [(p.file, p.title) for p in pages_for(INVESTOR)]
DATA_PAGES = [(p.file, p.title) for p in PAGES if p.calls]


class ServerPagesManager(PagesManager):
    """A PagesManager that leaves the pages/-folder mode off, as a server does after its first run."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


# ---------------------------------------------------------------- viewers

def signed_in(email: str = FOUNDER_EMAIL, **query) -> AppTest:
    """The app as someone signed in through OIDC (not yet run)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = dict(AUTH)
    at.secrets["roles"] = {k: list(v) for k, v in ROLES.items()}
    at.user = {"email": email, "is_logged_in": True}
    at.query_params.update(query)
    return at


def through_link(token: str, **query) -> AppTest:
    """The app opened from a share link (no sign-in configured at all; not yet run)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["share"] = token
    at.query_params.update(query)
    return at


def anonymous() -> AppTest:
    """No share link, no [auth] and (with a fresh app state) no accounts. A harmless secret
    replaces st.secrets, so a secrets.toml elsewhere on the machine cannot sign anyone in."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["unrelated"] = "not an [auth] section"
    return at


# ---------------------------------------------------------------- reading a run

def no_exception(at: AppTest) -> None:
    """No traceback, and no failure turned into the plain sentence a viewer gets (ui/errors.py)."""
    assert not at.exception, [e.message for e in at.exception]
    failed = [e.value for e in at.error if "could not be shown" in e.value]
    assert not failed, failed


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def kpi_values(at: AppTest) -> dict[str, str]:
    """What each KPI tile of the run shows, by label: a metric's value, or the text of a
    tile drawn as markdown (the Overview draws a withheld figure that way), emphasis removed."""
    shown = tiles(at)
    labels = {k.label for k in KPIS}
    for root in (at.main, at.sidebar):
        for node in _walk(root):
            parts = [c.value for c in getattr(node, "children", {}).values() if type(c).__name__ == "Markdown"]
            withheld_words = len(parts) >= 2 and parts[1].strip().strip("*_") == "fewer than 11 experts"
            if len(parts) >= 2 and (parts[0].strip() in labels or withheld_words) and parts[0].strip() not in shown:
                shown[parts[0].strip()] = " ".join(p.strip().strip("*_").strip() for p in parts[1:])
    return shown


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def charts(at: AppTest) -> list:
    return list(at.get("vega_lite_chart"))


def chart_frames(at: AppTest) -> list[pd.DataFrame]:
    """The data behind every chart of the run, one frame per chart, in page order."""
    frames = []
    for chart in charts(at):
        datasets = [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]
        if chart.proto.data.data:
            datasets.append(dataframe_util.convert_arrow_bytes_to_pandas_df(chart.proto.data.data))
        frames.append(pd.concat(datasets, ignore_index=True) if len(datasets) > 1 else datasets[0])
    return frames


def data_elements(at: AppTest) -> dict[str, int]:
    """How many elements that can carry figures the run drew."""
    return {"metric": len(at.metric), "dataframe": len(at.dataframe), "table": len(at.table),
            "chart": len(charts(at)), "json": len(at.json)}


def assert_no_data(at: AppTest) -> None:
    counts = data_elements(at)
    assert not any(counts.values()), counts
    assert not at.selectbox and not at.select_slider, "filter widgets on a page without data"


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _proto_texts(message: Message, out: list[str]) -> None:
    """Every string of a protobuf message; Arrow payloads decoded to CSV text."""
    for field, value in message.ListFields():
        values = [value] if isinstance(value, (str, bytes, Message)) or not hasattr(value, "__iter__") else value
        for item in values:
            if isinstance(item, Message):
                _proto_texts(item, out)
            elif isinstance(item, str):
                out.append(item)
            elif isinstance(item, bytes) and item:
                try:
                    out.append(dataframe_util.convert_arrow_bytes_to_pandas_df(item).to_csv(index=False))
                except Exception:
                    out.append(item.decode("utf-8", "replace"))


def all_text(at: AppTest) -> str:
    """Everything the run sent to the browser as text: markdown, titles, captions, metric labels,
    values and help, dataframes and chart data (decoded), widget labels and options, the page list."""
    out: list[str] = []
    for root in at._tree.children.values():
        for node in _walk(root):
            proto = getattr(node, "proto", None)
            if isinstance(proto, Message):
                _proto_texts(proto, out)
    for frame in [d.value for d in at.dataframe] + [t.value for t in at.table]:
        out.append(frame.to_csv(index=False))
    return "\n".join(out)


# ---------------------------------------------------------------- the warehouse file

def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
