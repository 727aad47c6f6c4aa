"""The one object the stages pass along: the run's inputs, what each stage produced, and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from .config import JobConfig
from .contract import Contract


@dataclass
class Manifest:
    key: str
    run_id: str
    ingest_date: str
    records: int
    bytes: int
    part_keys: list[str]


@dataclass
class Report:
    dataset: str
    job_run_id: str
    contract_version: int
    config: dict[str, Any]
    started_at: str
    status: str = "running"
    error: str | None = None
    manifests: list[dict[str, Any]] = field(default_factory=list)
    input: dict[str, Any] = field(default_factory=dict)
    quarantine: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    catalog: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    finished_at: str | None = None


@dataclass(frozen=True)
class Written:
    """What the write (or analytics) stage wrote to one table: its root and rows per partition."""

    root: str
    rows_per_partition: dict[str, int]


@dataclass
class JobContext:
    spark: SparkSession
    config: JobConfig
    contract: Contract
    report: Report
    manifests: list[Manifest] = field(default_factory=list)  # read
    lines: DataFrame | None = None  # read: source_key, value
    checked: DataFrame | None = None  # validate: source_key, line, reason, record, value
    new_rows: dict[str, DataFrame] = field(default_factory=dict)  # normalise: curated rows of the valid records, per table
    touched: list[str] = field(default_factory=list)  # normalise: partitions (business dates) the run rewrites
    curated: dict[str, DataFrame] = field(default_factory=dict)  # dedupe: complete touched partitions, per table
    versions: DataFrame | None = None  # dedupe: the versions index rows of the touched partitions
    written: dict[str, Written] = field(default_factory=dict)  # write, analytics


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
