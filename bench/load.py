"""Many viewers at once: N sessions speaking Streamlit's own websocket protocol (no browser) to one
dashboard process, or to several behind nginx, for a bounded time.

    python bench/load.py --db W.duckdb                     # one process; N = 1, 5, 10, 20; 20 s each
    python bench/load.py --db W.duckdb --processes 2       # two processes behind nginx (bench/proxy.py)
    python bench/load.py --url http://host:8080 --pid 123 --pid 124   # a deployment already running

A session is a browser tab: it connects, opens a page at an address with filters (a copied link),
moves through three more pages by "clicking" (reruns of the same session, as the sidebar makes
them), and leaves; then a new tab opens, often with other filters. A quarter of the tabs are an
investor's share link, the rest a founder's (demo mode: the servers started here trust this
machine). Before the timed runs every page of the mix is opened once, so what is timed is the
cost of a page run whose queries are cached, as when many people look at the same numbers.

It prints, for each N: page runs per second, p50/p95/max seconds from sending the run until the
server says it finished, errors (a run that raised, a page that said it could not be shown, a
lost connection), and each server process's CPU-seconds per page run and resident memory; then
how far the goals of issue 15 are met. --json prints the same figures as one object.
"""

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import websockets

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
from bench.browser_pages import collect_output, free_port, share_token, start_server, wait_for_line  # noqa: E402
from bench.proxy import Proxy  # noqa: E402
from expertnet.access.roles import FOUNDER, INVESTOR  # noqa: E402
from expertnet.ui.pages import pages_for  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

FOUNDER_PAGES = [p.url_path for p in pages_for(FOUNDER) if not p.hidden]
INVESTOR_PAGES = [p.url_path for p in pages_for(INVESTOR) if not p.hidden]
CLICKS_PER_TAB = 3
RUN_TIMEOUT_SECONDS = 120
# issue 15's goals on a 2-core machine at 2M experts / 100M work logs
GOAL_CPU_PER_CACHED_RUN = 0.1
GOAL_RUNS_PER_SECOND_ONE_PROCESS_AT_10 = 8.0
GOAL_TWO_PROCESS_RATIO = 1.6
GOAL_P95_TWO_PROCESSES_AT_20 = 2.0


# ---------------------------------------------------------------- one page run over the websocket

@dataclass
class Run:
    seconds: float
    error: str | None = None
    texts: list[str] = field(default_factory=list)


def _element_text(message: ForwardMsg) -> tuple[str | None, str | None]:
    """(text shown, error) of one delta: headings, markdown, alerts; an exception is an error."""
    if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
        return None, None
    element = message.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "exception":
        return None, f"exception: {element.exception.message[:200]}"
    if kind in ("heading", "markdown", "alert"):
        body = getattr(element, kind).body
        if kind == "alert" and "could not be shown" in body:
            return body, f"page error: {body[:200]}"
        return body, None
    return None, None


class Tab:
    """One browser tab's websocket session with the dashboard at `base_url`."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self._url = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._ws = None

    async def __aenter__(self) -> "Tab":
        self._ws = await websockets.connect(self._url, subprotocols=["streamlit"], origin=self._origin,
                                            max_size=None, open_timeout=30, ping_interval=None)
        return self

    async def __aexit__(self, *_exc) -> None:
        await self._ws.close()

    async def run(self, page: str, query: dict) -> Run:
        """Run `page` at an address with `query`; return once the server says the run finished
        (following the reruns a page asks for itself, as a browser does)."""
        message = BackMsg()
        message.rerun_script.query_string = urlencode(query, doseq=True)
        message.rerun_script.page_name = page
        message.rerun_script.context_info.timezone = "UTC"
        started = time.perf_counter()
        await self._ws.send(message.SerializeToString())
        run = Run(0.0)
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await asyncio.wait_for(self._ws.recv(), RUN_TIMEOUT_SECONDS))
            text, error = _element_text(reply)
            if text is not None:
                run.texts.append(text)
            run.error = run.error or error
            if reply.WhichOneof("type") == "page_not_found":
                run.error = run.error or f"page not found: {page}"
            if reply.WhichOneof("type") == "script_finished" \
                    and reply.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                run.seconds = time.perf_counter() - started
                return run


async def open_once(base_url: str, page: str, query: dict) -> Run:
    """One page in a new tab (what a test uses to see what an address shows)."""
    async with Tab(base_url) as tab:
        return await tab.run(page, query)


# ---------------------------------------------------------------- the mix

@dataclass(frozen=True)
class Mix:
    """The addresses tabs open: founders' pages with and without filters, and an investor link's pages."""
    domains: list[str]
    countries: list[str]
    share_token: str | None
    investor_tabs: float = 0.25          # the share of tabs that are an investor's link

    def founder_queries(self) -> list[dict]:
        queries = [{}]
        queries += [{"domain": d} for d in self.domains]
        queries += [{"country": c} for c in self.countries]
        queries += [{"domain": self.domains[0], "country": self.countries[0]}] if self.domains and self.countries else []
        return queries

    def tab(self, rng: random.Random) -> list[tuple[str, dict]]:
        """The (page, query) runs of one tab: an address with its filters, then clicks on other
        pages, which keep them. (Another filter is another tab: a rerun's address does not
        clear a filter the session already holds, as a browser's widget state would.)"""
        if self.share_token and rng.random() < self.investor_tabs:
            query, pages = {"share": self.share_token}, INVESTOR_PAGES
        else:
            query, pages = rng.choice(self.founder_queries()), FOUNDER_PAGES
        return [(page, query) for page in rng.sample(pages, min(CLICKS_PER_TAB + 1, len(pages)))]

    def every_address(self) -> list[tuple[str, dict]]:
        addresses = [] if self.investor_tabs >= 1 else \
            [(page, query) for page in FOUNDER_PAGES for query in self.founder_queries()]
        if self.share_token:
            addresses += [(page, {"share": self.share_token}) for page in INVESTOR_PAGES]
        return addresses


# ---------------------------------------------------------------- measuring

def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (/proc/PID/stat, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


async def _viewer(base_url: str, mix: Mix, deadline: float, seed: int, runs: list[Run]) -> None:
    rng = random.Random(seed)
    while time.perf_counter() < deadline:
        try:
            async with Tab(base_url) as tab:
                for page, query in mix.tab(rng):
                    if time.perf_counter() >= deadline:
                        return
                    runs.append(await tab.run(page, query))
        except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as error:
            runs.append(Run(float("nan"), f"connection: {type(error).__name__}: {error}"[:200]))


def measure(base_url: str, mix: Mix, sessions: int, seconds: float, pids: list[int]) -> dict:
    runs: list[Run] = []
    cpu_before = {pid: cpu_seconds(pid) for pid in pids}
    started = time.perf_counter()

    async def main():
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_viewer(base_url, mix, deadline, seed, runs) for seed in range(sessions)))
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    done = [r for r in runs if r.error is None]
    latencies = [r.seconds for r in done]
    cpu = {pid: cpu_seconds(pid) - cpu_before[pid] for pid in pids}
    return {
        "sessions": sessions, "seconds": round(elapsed, 2), "page_runs": len(done),
        "runs_per_second": len(done) / elapsed, "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95), "max": max(latencies, default=float("nan")),
        "errors": len(runs) - len(done), "error_examples": sorted({r.error for r in runs if r.error})[:5],
        "processes": [{"pid": pid, "cpu_seconds": round(cpu[pid], 2),
                       "cpu_seconds_per_run": cpu[pid] / max(len(done), 1), "cores_used": cpu[pid] / elapsed,
                       "resident_mb": round(resident_mb(pid), 1)} for pid in pids],
    }


def warm(base_url: str, mix: Mix) -> dict:
    """Every address of the mix once, one after another: what the timed runs then find cached."""
    started = time.perf_counter()

    async def main():
        errors = []
        for page, query in mix.every_address():
            run = await open_once(base_url, page, query)
            if run.error:
                errors.append(f"{page} {query}: {run.error}")
        return errors
    errors = asyncio.run(main())
    return {"addresses": len(mix.every_address()), "seconds": round(time.perf_counter() - started, 1),
            "errors": errors}


# ---------------------------------------------------------------- servers started here

def _mix_of(db: str, share: str | None) -> Mix:
    import duckdb
    with duckdb.connect(db, read_only=True) as con:
        domains = [r[0] for r in con.execute("SELECT domain FROM experts GROUP BY 1 ORDER BY count(*) DESC LIMIT 2").fetchall()]
        countries = [r[0] for r in con.execute("SELECT country FROM experts GROUP BY 1 ORDER BY count(*) DESC LIMIT 2").fetchall()]
    return Mix(domains, countries, share)


class Servers:
    """`processes` dashboards over `db` in demo mode sharing one app state, and nginx in front of
    them when there are several."""

    def __init__(self, db: str, processes: int, app_state: str | None):
        self.folder = Path(tempfile.mkdtemp(prefix="expertnet-load-"))
        self.env = dict(os.environ, EXPERTNET_DB=db, EXPERTNET_DEMO="1", EXPERTNET_PREWARM="1",
                        EXPERTNET_APP_STATE=app_state or str(self.folder / "app_state.sqlite3"),
                        EXPERTNET_SHARE_KEY_FILE=str(self.folder / "share.key"),
                        EXPERTNET_SECRETS=str(self.folder / "no_secrets.toml"))
        self.share = share_token(self.env, "Load test fund")
        self.servers, self.proxy = [], None
        try:
            for _ in range(processes):
                port = free_port()
                process = start_server(self.env, port)
                self.servers.append((port, process, collect_output(process)))
            for port, _process, lines in self.servers:    # the first page run opens the snapshot and pre-warms it
                asyncio.run(open_once(f"http://127.0.0.1:{port}", FOUNDER_PAGES[0], {}))
                wait_for_line(lines, "pre-warmed snapshot", 900)
            if processes > 1:
                self.proxy = Proxy(free_port(), [port for port, _, _ in self.servers])
        except BaseException:
            self.stop()
            raise

    @property
    def url(self) -> str:
        return self.proxy.url if self.proxy else f"http://127.0.0.1:{self.servers[0][0]}"

    @property
    def pids(self) -> list[int]:
        return [process.pid for _, process, _ in self.servers]

    def stop(self) -> None:
        if self.proxy:
            self.proxy.stop()
        for _port, process, _ in self.servers:
            process.terminate()
        for _port, process, _ in self.servers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


# ---------------------------------------------------------------- report

def goals(results: list[dict], processes: int, one_process: dict | None) -> list[str]:
    lines = []
    clean = [r for r in results if r["page_runs"]]
    per_run = [sum(p["cpu_seconds"] for p in r["processes"]) / r["page_runs"] for r in clean if r["processes"]]
    if per_run:
        best = min(per_run)
        lines.append(f"cached page run at most {GOAL_CPU_PER_CACHED_RUN} CPU-s: {best:.3f} CPU-s per run "
                     f"(all server processes, lowest over N; highest {max(per_run):.3f}) -> "
                     f"{'met' if best <= GOAL_CPU_PER_CACHED_RUN else 'NOT met'}")
    at = {r["sessions"]: r for r in results}
    if processes == 1 and 10 in at:
        rate = at[10]["runs_per_second"]
        lines.append(f"one process, 10 sessions, at least {GOAL_RUNS_PER_SECOND_ONE_PROCESS_AT_10} runs/s: "
                     f"{rate:.1f} -> {'met' if rate >= GOAL_RUNS_PER_SECOND_ONE_PROCESS_AT_10 else 'NOT met'}")
    if processes > 1 and 20 in at:
        r20 = at[20]
        ok = r20["p95"] < GOAL_P95_TWO_PROCESSES_AT_20 and r20["errors"] == 0
        lines.append(f"{processes} processes, 20 sessions: p95 {r20['p95']:.2f} s (goal under "
                     f"{GOAL_P95_TWO_PROCESSES_AT_20} s), {r20['errors']} errors -> {'met' if ok else 'NOT met'}")
        if one_process:
            base = max(r["runs_per_second"] for r in one_process["results"])
            best = max(r["runs_per_second"] for r in results)
            ratio = best / base if base else float("nan")
            lines.append(f"{processes} processes serve {ratio:.2f} times one process's best ({best:.1f} against "
                         f"{base:.1f} runs/s; goal at least {GOAL_TWO_PROCESS_RATIO}) -> "
                         f"{'met' if ratio >= GOAL_TWO_PROCESS_RATIO else 'NOT met'}")
        else:
            lines.append("2-process ratio: pass --against FILE.json (a one-process run's --json output) to compare")
    return lines


def table(report: dict) -> str:
    rows = [f"machine: {report['machine']}", f"target: {report['target']}",
            f"warm-up: {report['warm']['addresses']} addresses in {report['warm']['seconds']} s, "
            f"{len(report['warm']['errors'])} errors", "",
            "| sessions | page runs/s | p50 s | p95 s | max s | errors | CPU-s per page run, by process (their sum: a run's cost) | cores used, by process | RSS MB, by process |",
            "|---:|---:|---:|---:|---:|---:|---|---|---|"]
    def each(procs, key, form):
        return " / ".join(format(p[key], form) for p in procs) or "-"
    for r in report["results"]:
        procs = r["processes"]
        rows.append(f"| {r['sessions']} | {r['runs_per_second']:.1f} | {r['p50']:.2f} | {r['p95']:.2f} | "
                    f"{r['max']:.2f} | {r['errors']} | {each(procs, 'cpu_seconds_per_run', '.3f')} | "
                    f"{each(procs, 'cores_used', '.2f')} | {each(procs, 'resident_mb', '.0f')} |")
    for r in report["results"]:
        for example in r["error_examples"]:
            rows.append(f"error at {r['sessions']} sessions: {example}")
    rows += ["", "goals:"] + [f"- {line}" for line in report["goals"]]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="start dashboards over this warehouse (demo mode, loopback only)")
    where.add_argument("--url", help="a dashboard (or proxy) already running; give --pid to see its CPU")
    parser.add_argument("--processes", type=int, default=1, help="with --db: dashboard processes (more than 1: behind nginx)")
    parser.add_argument("--app-state", help="with --db: the shared app state (default: a SQLite file of this run)")
    parser.add_argument("--share", help="with --url: a share link's token, for the investor part of the mix")
    parser.add_argument("--investors-only", action="store_true",
                        help="with --url and --share: every tab is the link's investor (a deployment with sign-in)")
    parser.add_argument("--domain", action="append", default=[], help="with --url: a domain for the filter mix")
    parser.add_argument("--country", action="append", default=[], help="with --url: a country for the filter mix")
    parser.add_argument("--pid", type=int, action="append", default=[], help="with --url: a server process to measure")
    parser.add_argument("--sessions", default="1,5,10,20", help="session counts, comma-separated (default 1,5,10,20)")
    parser.add_argument("--seconds", type=float, default=20, help="seconds of load at each count (default 20)")
    parser.add_argument("--against", type=Path, help="a one-process run's --json output, for the ratio goal")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.sessions.split(",") if n.strip()]
    if any(n < 1 for n in counts) or args.seconds <= 0 or args.processes < 1:
        parser.error("--sessions, --seconds and --processes must be positive")

    servers = None
    try:
        if args.db:
            print(f"starting {args.processes} dashboard process(es) over {args.db} and waiting for the pre-warm ...",
                  file=sys.stderr)
            servers = Servers(args.db, args.processes, args.app_state)
            url, pids, mix = servers.url, servers.pids, _mix_of(args.db, servers.share)
        else:
            url, pids = args.url.rstrip("/"), args.pid
            if args.investors_only and not args.share:
                parser.error("--investors-only needs --share")
            mix = Mix(args.domain, args.country, args.share, 1.0 if args.investors_only else 0.25)
        # each process has a cache of its own: warm each directly (through the proxy, an address
        # would warm only the process its route cookie lands on)
        warm_urls = [f"http://127.0.0.1:{port}" for port, _, _ in servers.servers] if servers else [url]
        print(f"warming every address of the mix at {', '.join(warm_urls)} ...", file=sys.stderr)
        warmed = [warm(each, mix) for each in warm_urls]
        report = {"machine": f"{platform.node()}: {os.cpu_count()} cores, {platform.machine()}, "
                             f"Python {platform.python_version()}",
                  "target": url + (f" ({args.processes} processes behind nginx)" if servers and servers.proxy else ""),
                  "warm": {"addresses": sum(w["addresses"] for w in warmed), "seconds": sum(w["seconds"] for w in warmed),
                           "errors": [e for w in warmed for e in w["errors"]]},
                  "results": []}
        for n in counts:
            print(f"{n} session(s) for {args.seconds:g} s ...", file=sys.stderr)
            report["results"].append(measure(url, mix, n, args.seconds, pids))
    finally:
        if servers:
            servers.stop()
    one_process = json.loads(args.against.read_text()) if args.against else None
    report["goals"] = goals(report["results"], args.processes if args.db else len(args.pid) or 1, one_process)
    print(json.dumps(report, indent=2) if args.json else table(report))
    errors = sum(r["errors"] for r in report["results"]) + len(report["warm"]["errors"])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
