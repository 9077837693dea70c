"""The benchmark's output: the machine it ran on, each page's and workload's times summed up from the
ways' repetitions (min, median, ratios to way 1), and the whole report rendered as the table for people
(the --format json output is the same report dict, dumped as it is)."""

import os
import platform
import statistics

from bench.compare import REL_TOL
from bench.workloads import PAGES, WAY_NAMES, WAYS, WORKLOADS


def machine_info() -> dict:
    import duckdb
    import numpy
    import pandas
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kb = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kb = int(line.split()[1])
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": nproc,
        "memory_total_gib": round(mem_kb / 1024 ** 2, 1) if mem_kb else None,
        "cpu_model": model or platform.processor() or None,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }


def _summary(samples: list[float]) -> dict:
    return {"min_s": min(samples), "median_s": statistics.median(samples), "times_s": samples}


def page_times(ok: dict) -> list[dict]:
    """Each page's time per way (the sum of its workloads, plus way 2's load) and the ratios to way 1."""
    pages = []
    for page, workloads in PAGES:
        entry = {"page": page, "computes": [WORKLOADS[w] for w in workloads], "ways": {}}
        for way, answer in ok.items():
            samples = [sum(parts) for parts in zip(*(answer["times_s"][w] for w in workloads))]
            if way == 2:
                samples = [load + s for load, s in zip(answer["load_times_s"], samples)]
            entry["ways"][str(way)] = _summary(samples)
        for other in (2, 3):
            a, b = entry["ways"].get("1"), entry["ways"].get(str(other))
            entry[f"ratio_{other}_1"] = b["median_s"] / a["median_s"] if a and b and a["median_s"] else None
            entry[f"ratio_{other}_1_min"] = b["min_s"] / a["min_s"] if a and b and a["min_s"] else None
        pages.append(entry)
    return pages


def workload_times(ok: dict) -> dict:
    """Each workload's median and min time per way, and the pages that ask for it."""
    return {name: {"call": call, "pages": [p for p, w in PAGES if name in w],
                   "median_s": {str(way): statistics.median(a["times_s"][name]) for way, a in ok.items()},
                   "min_s": {str(way): min(a["times_s"][name]) for way, a in ok.items()}}
            for name, call in WORKLOADS.items()}


def pandas_load_times(ok: dict) -> dict | None:
    """Way 2's load of the raw tables alone, or None when way 2 did not run."""
    return _summary(ok[2]["load_times_s"]) if 2 in ok else None


def _seconds(value) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if value < 0.1 else f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _ratio(value) -> str:
    return "-" if value is None else f"{value:,.1f}x" if value >= 1 else f"{value:.2f}x"


def _mb(value) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _table(rows: list[list[str]], left: tuple[int, ...] = (0,)) -> str:
    """Aligned columns: text columns (`left`) to the left, figures to the right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if i in left else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_table(report: dict) -> str:
    m, wh, out = report["machine"], report["warehouse"], []
    out.append("expertnet benchmark: the dashboard's pages, three ways")
    out.append(f"machine: {m['nproc']} CPUs (nproc), {m['memory_total_gib']} GiB RAM, {m['cpu_model']}; "
               f"Python {m['python']}, DuckDB {m['duckdb']}, pandas {m['pandas']}, numpy {m['numpy']}")
    out.append(f"load average (1 min): {m['load_average_at_start']} at start, {report['load_average_at_end']} at end "
               f"(above {m['nproc']} means other work shared the CPUs)")
    out.append(f"warehouse: {wh['path']} ({wh['how']}, snapshot {wh['snapshot_id'][:8]} loaded {wh['loaded_at']}), "
               f"{wh['file_mb']:,.0f} MB")
    out.append("  " + ", ".join(f"{n:,} {t}" for t, n in wh["rows"].items()))
    gen = report["generation"]
    if gen:
        out.append(f"generation: draw + write_export {_seconds(gen['draw_and_write_export_s'])} s "
                   f"(of which draw {_seconds(gen['draw_s'])} s; peak RSS "
                   f"{_mb(gen['draw_and_write_export_peak_rss_mb'])} MB), "
                   f"ingest {_seconds(gen['ingest_s'])} s (peak RSS {_mb(gen['ingest_peak_rss_mb'])} MB)")
    else:
        out.append("generation: not timed (warehouse reused; remove the file to time it)")
    out.append(f"period: {report['months']['first']} .. {report['months']['last']} (the pages' default: the last "
               f"12 months); {report['repeat']} repetitions; no filter; founder view; nothing cached")
    out.append("")
    for way in WAYS:
        out.append(f"  way {way}: {WAY_NAMES[way]}")
    out.append("")
    out.append("seconds for a first view of each page (min and median of the repetitions):")
    header = ["page", "way 1 min", "way 1 median", "way 2 min", "way 2 median", "way 3 min", "way 3 median",
              "way 2 / way 1", "way 3 / way 1"]
    table = [header]
    for page in report["pages"]:
        row = [page["page"]]
        for way in WAYS:
            t = page["ways"].get(str(way))
            row += [_seconds(t["min_s"]), _seconds(t["median_s"])] if t else ["skipped", "skipped"]
        row += [_ratio(page["ratio_2_1"]), _ratio(page["ratio_3_1"])]
        table.append(row)
    out.append(_table(table))
    out.append("(ratios are of the medians; way 2's times include loading the raw tables, every time)")
    load = report["pandas_load"]
    if load:
        out.append(f"way 2's load of the raw tables alone: min {_seconds(load['min_s'])} s, "
                   f"median {_seconds(load['median_s'])} s")
    for note in report["notes"]:
        out.append(f"NOTE: {note}")
    out.append("")
    out.append("seconds per workload (median), and which pages ask for it:")
    work = [["workload", "way 1", "way 2", "way 3", "pages"]]
    for name, entry in report["workloads"].items():
        work.append([entry["call"]] + [_seconds(entry["median_s"].get(str(w))) if str(w) in entry["median_s"]
                                       else "skipped" for w in WAYS] + [", ".join(entry["pages"])])
    out.append(_table(work, left=(0, 4)))
    out.append("")
    mem = [["way", "peak RSS (MB)", "after imports (MB)", "CPU user+sys (s)", "wall (s)", "status"]]
    for way in WAYS:
        w = report["memory"].get(str(way))
        if w is None:
            mem.append([f"{way} {WAY_NAMES[way]}", "-", "-", "-", "-", "skipped"])
        else:
            mem.append([f"{way} {WAY_NAMES[way]}", _mb(w["peak_rss_mb"]), _mb(w.get("baseline_rss_mb")),
                        _seconds(w["cpu_s"]), _seconds(w["wall_s"]), w.get("error", "ok")])
    out.append("memory and CPU of each way's own process (all repetitions):")
    out.append(_table(mem))
    out.append("")
    agreement = report["agreement"]
    out.append(f"compared: {agreement['compared']}; relative tolerance {REL_TOL:g}")
    for way, worst in agreement["largest_relative_difference"].items():
        out.append(f"  way {way} vs way 1: {worst['figures_compared']:,} figures; largest relative difference "
                   f"{worst['relative_difference']:.1e}"
                   + (f" ({worst['where']})" if worst["where"] else ""))
    if agreement["agree"]:
        out.append("results agree")
    else:
        out.append(f"results DIFFER ({len(agreement['differences'])} difference(s)):")
        out += [f"  {d}" for d in agreement["differences"][:60]]
        if len(agreement["differences"]) > 60:
            out.append(f"  ... and {len(agreement['differences']) - 60} more (see --format json)")
    return "\n".join(out)
