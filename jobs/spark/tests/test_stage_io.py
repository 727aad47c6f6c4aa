"""How the read and report stages touch files: small raw parts spread over tasks, and the report's file
figures from one listing per table."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import base_config

from lake_job import fs
from lake_job.context import JobContext, Report, Written
from lake_job.stages import read, report
from lake_job.tables import table_uri


def context(spark, contract, config) -> JobContext:
    return JobContext(spark, config, contract, Report(contract.name, config.job_run_id, contract.version, {}, "now"))


def test_small_raw_parts_are_read_by_several_tasks_per_core(spark, contract, generated_raw):
    raw_root, keys = generated_raw
    ctx = context(spark, contract, base_config(raw_root.parent, keys))
    read.run(ctx)
    # 6 parts of a few KB on 2 cores: Spark alone packs them into 2 tasks (one per core)
    assert ctx.lines is not None
    assert ctx.lines.rdd.getNumPartitions() == 6


def test_report_sizes_parquet_files_from_one_listing(spark, contract, tmp_path, monkeypatch):
    config = base_config(tmp_path, ("unused",))
    table = contract.table("invoices")
    uri = table_uri(contract, config.curated_root, table)
    frame = spark.range(40).selectExpr("id", "concat('2026-01-0', CAST(id % 3 + 1 AS STRING)) AS dt")
    frame.repartition(2).write.partitionBy("dt").parquet(uri)
    monkeypatch.setattr(fs, "file_size", lambda *_: pytest.fail("a file-status call per file"))
    ctx = context(spark, contract, config)
    ctx.written = {"invoices": Written(config.curated_root, {"2026-01-01": 14, "2026-01-02": 13})}
    report.run(ctx)
    files = [f for dt in ("2026-01-01", "2026-01-02") for f in (Path(uri) / f"dt={dt}").glob("*.parquet")]
    sizes = [f.stat().st_size for f in files]
    assert len(files) > 2  # the .crc and _SUCCESS files beside them are not counted
    stats = ctx.report.tables["invoices"]
    assert (stats["files"], stats["bytes"], stats["max_file_bytes"], stats["min_file_bytes"]) == (
        len(files),
        sum(sizes),
        max(sizes),
        min(sizes),
    )
    assert stats["rows"] == 27
