"""report: rows, partitions, files and bytes of every table the run wrote (the live files: a Delta
table's snapshot), then `report.json` under the contract's jobReport prefix (written on failure too)."""

from __future__ import annotations

import json
from typing import Any

from pyspark.sql import functions as F

from .. import fs
from ..context import JobContext, Written
from ..contract import Table
from ..tables import is_delta, stored_partition_values, table_uri


def run(ctx: JobContext) -> None:
    ctx.report.tables = {name: _stats(ctx, ctx.contract.table(name), w) for name, w in ctx.written.items()}


def write(ctx: JobContext) -> str:
    uri = f"{ctx.config.curated_root}/{ctx.contract.path('jobReport', job_run_id=ctx.config.job_run_id)}"
    fs.write_text(ctx.spark, uri, json.dumps(ctx.report.__dict__, indent=2, sort_keys=True) + "\n")
    return uri


def _stats(ctx: JobContext, table: Table, written: Written) -> dict[str, Any]:
    uri = table_uri(ctx.contract, written.root, table)
    partitions = sorted(written.rows_per_partition)
    if is_delta(ctx.config, table):
        stored = stored_partition_values(ctx.config, table, partitions)
        frame = ctx.spark.read.format("delta").load(uri).where(F.col(table.partition_column).isin(stored))
        files = [r[0] for r in frame.select(F.input_file_name()).distinct().collect()]
        sizes = [fs.file_size(ctx.spark, f) for f in files]
    else:
        sizes = fs.data_file_sizes(ctx.spark, uri, [f"{table.partition_column}={p}" for p in partitions])
    return {
        "rows": sum(written.rows_per_partition.values()),
        "partitions": partitions,
        "files": len(sizes),
        "bytes": sum(sizes),
        "max_file_bytes": max(sizes, default=0),
        "min_file_bytes": min(sizes, default=0),
    }
