"""Job arguments: what EMR steps (built by apps/emr-trigger from the launch spec) and local runs pass."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

TABLE_FORMATS = ("parquet", "delta")
COMPRESSIONS = ("zstd", "snappy")
CATALOG_MODES = ("projection", "register")
_RUN_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,127}$")


class ConfigError(ValueError):
    """A job argument is invalid; the message names the argument and the accepted values."""


@dataclass(frozen=True)
class JobConfig:
    contract_uri: str
    raw_root: str
    curated_root: str
    analytics_root: str
    job_run_id: str
    manifest_keys: tuple[str, ...]
    # no defaults: the lake config (lake-core) holds them, and emr-trigger passes every one
    table_format: str
    compression: str
    target_file_size_mb: float
    max_bad_record_ratio: float
    catalog_mode: str = "projection"
    glue_database: str | None = None

    def __post_init__(self) -> None:
        if not _RUN_ID.match(self.job_run_id):
            raise ConfigError(f"--job-run-id {self.job_run_id!r}: expected letters, digits, '_', '.' or '-' (max 128)")
        if not self.manifest_keys:
            raise ConfigError("--manifest-key: at least one run manifest key is required")
        if self.table_format not in TABLE_FORMATS:
            raise ConfigError(f"--table-format {self.table_format!r}: expected one of {', '.join(TABLE_FORMATS)}")
        if self.compression not in COMPRESSIONS:
            raise ConfigError(f"--compression {self.compression!r}: expected one of {', '.join(COMPRESSIONS)}")
        if not self.target_file_size_mb > 0:
            raise ConfigError(f"--target-file-size-mb {self.target_file_size_mb}: must be > 0")
        if not 0 <= self.max_bad_record_ratio <= 1:
            raise ConfigError(f"--max-bad-record-ratio {self.max_bad_record_ratio}: must be within 0..1")
        if self.catalog_mode not in CATALOG_MODES:
            raise ConfigError(f"--catalog-mode {self.catalog_mode!r}: expected one of {', '.join(CATALOG_MODES)}")
        if self.catalog_mode == "register" and not self.glue_database:
            raise ConfigError("--catalog-mode register needs --glue-database")
        for flag, root in (("--raw-root", self.raw_root), ("--curated-root", self.curated_root), ("--analytics-root", self.analytics_root)):
            if not re.match(r"^(s3a?|file)://[^/]", root) and not root.startswith("/"):
                raise ConfigError(f"{flag} {root!r}: expected s3://<bucket>, file:///<dir> or an absolute path")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"invalid job arguments: {message}")


def parse_args(argv: list[str]) -> JobConfig:
    p = _Parser(prog="lake_job", description="Raw NDJSON -> curated + analytics tables for one job run.")
    p.add_argument("--contract", required=True, help="URI of the exported contract JSON (s3:// or local)")
    p.add_argument("--raw-root", required=True, help="raw bucket root, e.g. s3://raw-bucket")
    p.add_argument("--curated-root", required=True, help="curated bucket root (tables, quarantine, reports)")
    p.add_argument("--analytics-root", required=True, help="analytics bucket root")
    p.add_argument("--job-run-id", required=True, help="id of this run; names the quarantine and report prefixes")
    p.add_argument("--manifest-key", action="append", default=[], help="run manifest key in the raw bucket (repeatable)")
    # Required, without defaults here: lake-core's processing settings are their one home.
    p.add_argument("--table-format", required=True, help="curated table format: parquet or delta")
    p.add_argument("--compression", required=True, help="Parquet codec: zstd or snappy")
    p.add_argument("--target-file-size-mb", type=float, required=True, help="target output file size")
    p.add_argument("--max-bad-record-ratio", type=float, required=True, help="fail above this quarantined/input ratio")
    p.add_argument("--catalog-mode", default="projection", help="projection (default): Glue projects partitions; register: add them")
    p.add_argument("--glue-database", help="Glue database of the tables (needed for --catalog-mode register)")
    a = p.parse_args(argv)
    return JobConfig(
        contract_uri=a.contract,
        raw_root=a.raw_root.rstrip("/"),
        curated_root=a.curated_root.rstrip("/"),
        analytics_root=a.analytics_root.rstrip("/"),
        job_run_id=a.job_run_id,
        manifest_keys=tuple(a.manifest_key),
        table_format=a.table_format,
        compression=a.compression,
        target_file_size_mb=a.target_file_size_mb,
        max_bad_record_ratio=a.max_bad_record_ratio,
        catalog_mode=a.catalog_mode,
        glue_database=a.glue_database,
    )
