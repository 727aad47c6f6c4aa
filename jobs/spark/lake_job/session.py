"""The SparkSession the job needs, the same on EMR (spark-submit) and locally."""

from __future__ import annotations

from pyspark.sql import SparkSession

from .config import JobConfig

# static settings: they must be in place before the session starts (spark-submit --conf works too);
# the Delta jars come from EMR's Delta install or `--packages io.delta:delta-spark_2.12:<3.x>`
DELTA_SESSION = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}


def apply_job_settings(spark: SparkSession, config: JobConfig) -> None:
    """Runtime SQL settings the job relies on (set by `run` itself, whatever session it gets)."""
    settings = {
        # a run rewrites only the partitions its input touches
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        # business dates are UTC dates of the event instants
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.compression.codec": config.compression,
        # `dt=2026-01-01` stays a string, as in the Glue partition keys
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        # every timestamp the contract accepts is stored exactly: microseconds (not INT96), proleptic
        # Gregorian as written (no rebase: 1899-12-31 and 0001-01-01 are legal, not an error)
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.parquet.datetimeRebaseModeInWrite": "CORRECTED",
        "spark.sql.parquet.int96RebaseModeInWrite": "CORRECTED",
        "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
        "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
        # an overflowing decimal sum or cast fails the run instead of writing NULL
        "spark.sql.ansi.enabled": "true",
    }
    for key, value in settings.items():
        spark.conf.set(key, value)


def build_session(config: JobConfig) -> SparkSession:
    builder = SparkSession.builder.appName(f"lake-job-{config.job_run_id}")
    if config.table_format == "delta":
        for key, value in DELTA_SESSION.items():
            builder = builder.config(key, value)
    return builder.getOrCreate()
