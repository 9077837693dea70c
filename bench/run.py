"""Benchmark: are the dashboard's numbers fast at 2M experts and 100M work logs?

    python bench/run.py --experts N --work-logs M [--format table|json] [--db PATH]
                        [--skip-pandas-above ROWS] [--repeat R]

Builds (or reuses) a demo warehouse of that size, then times what each dashboard
page asks for on a first, uncached view, three ways, each in a process of its own
so that its peak memory is its own:

  way 1  this project: the functions the pages call (expertnet.metrics.kpis and
         expertnet.metrics.breakdowns) over the rollups built at load time, on the
         dashboard's read-only connection;
  way 2  the usual Streamlit way: load the raw tables into pandas with .df(),
         then groupby (the load is part of every page's time);
  way 3  plain DuckDB SQL over the raw tables (work_logs, contracts, experts,
         bonuses, clients, valuations), without the rollups.

Then it checks that the three ways give the same numbers (relative tolerance
1e-9) and exits 1 if they do not. See bench/README.md.

This file is the command line, the warehouse (reused or generated) and the processes; what is timed
is in workloads.py, the three ways in way_rollups.py, way_pandas.py and way_sql.py, the comparison in
compare.py and the output in report.py.
"""

import argparse
import gc
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:  # `python bench/run.py` puts bench/, not the project, on the path
    sys.path.insert(0, str(PROJECT_DIR))

from bench import way_pandas, way_rollups, way_sql  # noqa: E402  (needs the path above)
from bench.compare import agreement, normalise  # noqa: E402
from bench.months import add_months, label  # noqa: E402
from bench.report import (machine_info, page_times, pandas_load_times, render_table,  # noqa: E402
                          workload_times)
from bench.workloads import WAY_NAMES, WAYS, WORKLOADS, unimplemented_workloads, untimed_functions  # noqa: E402

BENCH_DATA_DIR = PROJECT_DIR / "data" / "bench"
SEED = 7                                  # the CLI's default seed
# The order the ways run in: way 2 last, so its big process does not evict the others' file cache.
RUN_ORDER = (1, 3, 2)
WORKLOAD_FACTORIES = {1: way_rollups.workloads, 2: way_pandas.workloads, 3: way_sql.workloads}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str):
    """Stop with exit code 2 (1 means the ways disagree)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)


# ================================================================ the child processes

def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def run_worker(way: int, db: str, first: date, last: date, repeat: int, out: Path) -> None:
    for module in ("duckdb", "numpy", "pandas", "expertnet.metrics.breakdowns", "expertnet.metrics.kpis"):
        importlib.import_module(module)  # first, so that the baseline includes them
    from expertnet.warehouse import open_read_only
    baseline_kb = _status_kb("VmRSS")
    functions = WORKLOAD_FACTORIES[way]()
    times = {name: [] for name in WORKLOADS}
    load_times = []
    results = {}
    con = open_read_only(db)
    try:
        for rep in range(repeat):
            if way == 2:
                gc.collect()
                started = time.perf_counter()
                context = way_pandas.pandas_load(con)
                load_times.append(time.perf_counter() - started)
            else:
                context = con
            for name in WORKLOADS:
                started = time.perf_counter()
                value = functions[name](context, first, last)
                times[name].append(time.perf_counter() - started)
                if rep == repeat - 1:
                    results[name] = normalise(value)
                del value
            spent = sum(t[-1] for t in times.values())
            loaded = f"load {load_times[-1]:.3f}s + " if way == 2 else ""
            progress(f"  way {way} repetition {rep + 1}/{repeat}: {loaded}{spent:.3f}s for all workloads")
            del context
    finally:
        con.close()
    out.write_text(json.dumps({
        "times_s": times,
        "load_times_s": load_times,
        "results": results,
        "baseline_rss_mb": baseline_kb / 1024 if baseline_kb else None,
        "vm_hwm_mb": (_status_kb("VmHWM") or 0) / 1024,
    }))


def run_draw(experts: int, work_logs: int, export: Path, out: Path) -> None:
    from expertnet import demo
    started = time.perf_counter()
    shape = demo.draw(experts, work_logs, SEED)
    drawn = time.perf_counter() - started
    progress(f"  drew {experts:,} experts and {shape.work_logs.num_rows:,} work logs in {drawn:.1f}s")
    demo.write_export(shape, export, "parquet", lambda m: progress(f"  [{time.perf_counter() - started:6.1f}s] {m}"))
    out.write_text(json.dumps({"draw_s": drawn, "draw_and_write_s": time.perf_counter() - started,
                               "work_logs": shape.work_logs.num_rows}))


def run_ingest(db: Path, export: Path, out: Path) -> None:
    from expertnet.ingest.load import ingest
    started = time.perf_counter()
    result = ingest(export, db, lambda m: progress(f"  {m}"))
    out.write_text(json.dumps({"ingest_s": time.perf_counter() - started, "rows": result.rows}))


def child(arguments: list[str], what: str) -> dict:
    """Run this script with a hidden flag in a process of its own; return its JSON answer
    plus its own peak RSS and CPU time (os.wait4 gives one child's resource use, unmixed)."""
    with tempfile.NamedTemporaryFile(prefix="bench-", suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *arguments, "--_out", str(out)])
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            raise
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        answer = {"peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall}
        if process.returncode != 0:
            code = process.returncode
            reason = (f"killed by signal {-code}" + (" (out of memory?)" if code == -9 else "")
                      if code < 0 else f"exited with code {code}")
            answer["error"] = f"{what} failed: {reason}"
            return answer
        answer.update(json.loads(out.read_text()))
        return answer
    finally:
        out.unlink(missing_ok=True)


# ================================================================ the warehouse

def default_db(experts: int, work_logs: int) -> Path:
    return BENCH_DATA_DIR / f"experts-{experts}-logs-{work_logs}.duckdb"


def warehouse_facts(db: Path) -> dict:
    """Row counts and snapshot of a warehouse; WarehouseMissing if this code cannot read it."""
    from expertnet.warehouse import open_read_only
    with open_read_only(str(db)) as con:
        rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("experts", "clients", "contracts", "work_logs", "bonuses", "valuations")}
        snapshot = con.execute("SELECT snapshot_id, loaded_at, last_work_date FROM snapshot").fetchone()
    return {"rows": rows, "snapshot_id": snapshot[0], "loaded_at": snapshot[1].isoformat(timespec="seconds"),
            "last_work_date": snapshot[2].isoformat() if snapshot[2] else None,
            "file_mb": db.stat().st_size / 1024 ** 2}


def ensure_warehouse(db: Path, experts: int, work_logs: int) -> tuple[dict, dict | None]:
    """(facts, generation timings or None when reused)."""
    from expertnet.warehouse import WarehouseMissing
    if db.exists():
        try:
            facts = warehouse_facts(db)
        except WarehouseMissing as outdated:
            fail(f"{db}: {outdated} (or remove the file and the benchmark makes it anew)")
        if facts["rows"]["experts"] != experts:
            fail(f"{db} already holds {facts['rows']['experts']:,} experts, not {experts:,}; "
                 f"remove it or pick another --db")
        progress(f"reusing the warehouse at {db} ({facts['rows']['experts']:,} experts, "
                 f"{facts['rows']['work_logs']:,} work logs, loaded {facts['loaded_at']})")
        return facts, None
    db.parent.mkdir(parents=True, exist_ok=True)
    export = Path(tempfile.mkdtemp(prefix=f".bench-export-{db.stem}-", dir=db.parent))
    try:
        progress(f"generating {experts:,} experts and {work_logs:,} work logs (draw + write_export)")
        drawn = child(["--_draw", "--experts", str(experts), "--work-logs", str(work_logs),
                       "--_export", str(export)], "draw + write_export")
        if "error" in drawn:
            fail(drawn["error"])
        progress(f"ingesting {export} into {db}")
        ingested = child(["--_ingest", "--db", str(db), "--experts", str(experts), "--work-logs", str(work_logs),
                          "--_export", str(export)], "ingest")
        if "error" in ingested:
            fail(ingested["error"])
    finally:
        shutil.rmtree(export, ignore_errors=True)
    generation = {
        "draw_s": drawn["draw_s"],
        "draw_and_write_export_s": drawn["draw_and_write_s"],
        "draw_and_write_export_peak_rss_mb": drawn["peak_rss_mb"],
        "ingest_s": ingested["ingest_s"],
        "ingest_peak_rss_mb": ingested["peak_rss_mb"],
    }
    return warehouse_facts(db), generation


# ================================================================ main

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Time the dashboard's pages three ways (see bench/README.md).")
    parser.add_argument("--experts", type=int, required=True, help="experts in the demo warehouse")
    parser.add_argument("--work-logs", type=int, required=True, help="work logs in the demo warehouse")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--db", help="the warehouse (default: data/bench/experts-N-logs-M.duckdb); "
                                     "generated if missing, reused if it holds N experts")
    parser.add_argument("--skip-pandas-above", type=int, default=20_000_000, metavar="ROWS",
                        help="skip way 2 (pandas) above this many work logs (default 20,000,000)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each measurement (default 5)")
    # hidden: what a child process does
    for flag in ("--_worker", "--_first", "--_last", "--_out", "--_export"):
        parser.add_argument(flag, help=argparse.SUPPRESS)
    parser.add_argument("--_draw", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_ingest", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.experts <= 0 or args.work_logs <= 0 or args.repeat <= 0:
        fail("--experts, --work-logs and --repeat must be greater than 0")
    if args._worker:
        run_worker(int(args._worker), args.db, date.fromisoformat(args._first), date.fromisoformat(args._last),
                   args.repeat, Path(args._out))
        return 0
    if args._draw:
        run_draw(args.experts, args.work_logs, Path(args._export), Path(args._out))
        return 0
    if args._ingest:
        run_ingest(Path(args.db), Path(args._export), Path(args._out))
        return 0

    machine = machine_info()
    db = Path(args.db) if args.db else default_db(args.experts, args.work_logs)
    existed = db.exists()
    facts, generation = ensure_warehouse(db, args.experts, args.work_logs)
    notes = []
    if facts["rows"]["work_logs"] != args.work_logs:
        notes.append(f"the warehouse holds {facts['rows']['work_logs']:,} work logs, "
                     f"not the {args.work_logs:,} asked for")
    last_work = date.fromisoformat(facts["last_work_date"])
    last = date(last_work.year, last_work.month, 1)
    first = add_months(last, -11)

    missing = unimplemented_workloads()
    if missing:
        fail("the page registry (expertnet/ui/pages.py) declares workloads the benchmark's ways do not "
             f"implement yet: {', '.join(missing)}; add each to bench/workloads.py WORKLOADS and to "
             "way_rollups.py, way_pandas.py and way_sql.py")
    untimed = untimed_functions()
    if untimed:
        notes.append("not timed (no investor page calls it on a default view): " + ", ".join(untimed))
    skip_pandas = facts["rows"]["work_logs"] > args.skip_pandas_above
    if skip_pandas:
        notes.append(f"way 2 (pandas) SKIPPED: {facts['rows']['work_logs']:,} work logs is above "
                     f"--skip-pandas-above {args.skip_pandas_above:,}")

    answers = {}
    for way in RUN_ORDER:
        if way == 2 and skip_pandas:
            progress(notes[-1])
            continue
        progress(f"way {way}: {WAY_NAMES[way]}, {args.repeat} repetitions")
        answers[way] = child(["--_worker", str(way), "--db", str(db), "--experts", str(args.experts),
                              "--work-logs", str(args.work_logs), "--repeat", str(args.repeat),
                              "--_first", first.isoformat(), "--_last", last.isoformat()], f"way {way}")
        if "error" in answers[way]:
            notes.append(answers[way]["error"])
            progress(answers[way]["error"])

    ok = {way: a for way, a in answers.items() if "error" not in a}
    checked = agreement(ok)
    report = {
        "machine": machine,
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "run_at": datetime.now().isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "warehouse": {"path": str(db), "how": "reused" if existed else "generated", **facts},
        "generation": generation,
        "months": {"first": label(first), "last": label(last)},
        "repeat": args.repeat,
        "ways": {str(w): WAY_NAMES[w] for w in WAYS},
        "pages": page_times(ok),
        "workloads": workload_times(ok),
        "pandas_load": pandas_load_times(ok),
        "pandas_skipped": skip_pandas,
        "memory": {str(way): {k: a.get(k) for k in ("peak_rss_mb", "vm_hwm_mb", "baseline_rss_mb", "cpu_s",
                                                      "wall_s", "error") if k in a}
                   for way, a in answers.items()},
        "notes": notes,
        "agreement": checked,
    }
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        print(render_table(report))
    if any("error" in a for a in answers.values()):
        return 2
    return 0 if checked["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
