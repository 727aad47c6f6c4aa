"""The SparkSession the job needs, the same on EMR (spark-submit) and locally."""

from __future__ import annotations

from pyspark.sql import SparkSession

from .config import JobConfig

DELTA_SESSION = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}


def session_settings(config: JobConfig) -> dict[str, str]:
    settings = {
        # a run rewrites only the partitions its input touches
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        # business dates are UTC dates of the event instants
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.compression.codec": config.compression,
        # `dt=2026-01-01` stays a string, as in the Glue partition keys
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    }
    if config.table_format == "delta":
        settings.update(DELTA_SESSION)
    return settings


def build_session(config: JobConfig) -> SparkSession:
    builder = SparkSession.builder.appName(f"nfe-lake-job-{config.job_run_id}")
    for key, value in session_settings(config).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    for key, value in session_settings(config).items():
        if not key.startswith("spark.sql.extensions") and not key.startswith("spark.sql.catalog"):
            spark.conf.set(key, value)
    return spark
