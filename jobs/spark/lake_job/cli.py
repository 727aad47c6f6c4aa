"""Command line: `spark-submit main.py --contract ... --manifest-key ...` (see README.md)."""

from __future__ import annotations

import json
import sys

from .config import ConfigError, parse_args
from .errors import JobError
from .job import run
from .session import build_session


def main(argv: list[str] | None = None) -> int:
    try:
        config = parse_args(sys.argv[1:] if argv is None else argv)
    except ConfigError as err:
        print(f"lake_job: {err}", file=sys.stderr)
        return 2
    spark = build_session(config)
    try:
        report = run(spark, config)
    except JobError as err:
        print(f"lake_job: run {config.job_run_id} failed: {err}", file=sys.stderr)
        return 1
    print(json.dumps({"status": report.status, "job_run_id": report.job_run_id, "input": report.input, "quarantine": report.quarantine}))
    return 0
