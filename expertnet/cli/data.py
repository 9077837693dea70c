"""`python -m expertnet generate` and `ingest`: building the warehouse."""

import sys
from pathlib import Path

from expertnet.cli.common import add_db, positive, progress
from expertnet.ingest.load import LoadRefused, ingest


def cmd_generate(args) -> int:
    from expertnet.demo import generate
    result = generate(Path(args.db), args.experts, args.work_logs, args.seed, args.export, progress)
    print(f"demo warehouse at {args.db}: " + ", ".join(f"{n:,} {t}" for t, n in result.rows.items())
          + f" in {result.seconds:.1f}s")
    return 0


def cmd_ingest(args) -> int:
    try:
        result = ingest(Path(args.folder), Path(args.db), progress)
    except LoadRefused as refused:
        print(refused.report(), file=sys.stderr)
        print(f"refused: {refused.total:,} problem(s) in {args.folder}; the warehouse at {args.db} "
              f"is unchanged. Fix the export and load it again.", file=sys.stderr)
        return 1
    print(f"loaded {args.folder} into {args.db} as snapshot {result.snapshot_id[:8]}: "
          + ", ".join(f"{n:,} {t}" for t, n in result.rows.items()) + f" in {result.seconds:.1f}s")
    return 0


def add_commands(commands) -> None:
    p = commands.add_parser("generate", help="build a demo warehouse")
    add_db(p)
    p.add_argument("--experts", type=positive, default=2_000_000, help="experts signed up by 2025-12")
    p.add_argument("--work-logs", type=positive, default=None,
                   help="scale activity to this many work logs (default: billings of ~$50/expert/year)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--export", type=Path, default=None, help="also write the demo as a CSV export folder here")
    p.set_defaults(run=cmd_generate)

    p = commands.add_parser("ingest", help="load an export folder (CSV or Parquet) as a full snapshot")
    p.add_argument("folder")
    add_db(p)
    p.set_defaults(run=cmd_ingest)
