"""validate: every raw line against the contract's rules (record_rules.py, a port of lake-core's
recordValidator), then typed with the raw Spark schema. Adds `line` (1-based within its raw object)
and `reason` (null when the record is valid); counts input and bad records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import functions as F

from ..context import JobContext
from ..record_rules import line_validator

_CHECKED_SCHEMA = "source_key string, line long, value string, reason string"
SPARK_CANNOT_TYPE = "$: valid per contract rules but Spark could not read it with the contract schema"


def run(ctx: JobContext) -> None:
    assert ctx.lines is not None
    columns = ctx.contract.columns
    raw_schema = ctx.contract.raw_schema

    def check(rows: Iterator[Any]) -> Iterator[tuple[str, int, str, str | None]]:
        validator = line_validator(columns)
        line_of: dict[str, int] = {}
        for row in rows:
            line = line_of.get(row.source_key, 0) + 1
            line_of[row.source_key] = line
            yield row.source_key, line, row.value, validator(row.value)

    checked = ctx.spark.createDataFrame(ctx.lines.rdd.mapPartitions(check), _CHECKED_SCHEMA)
    typed = checked.withColumn("record", F.when(F.col("reason").isNull(), F.from_json("value", raw_schema)))
    # Defence in depth: a record the contract rules accept but Spark cannot type (e.g. 12.0 for a
    # long) is quarantined with its raw text, never turned into nulls.
    required = [f.name for f in raw_schema.fields if not f.nullable]
    unparsed = F.col("reason").isNull() & (
        F.col("record").isNull() | F.exists(F.array(*[F.col(f"record.{n}").isNull() for n in required]), lambda x: x)
    )
    bad = F.col("reason").isNotNull() | unparsed
    ctx.checked = typed.select(
        "source_key",
        "line",
        F.when(unparsed, F.lit(SPARK_CANNOT_TYPE)).otherwise(F.col("reason")).alias("reason"),
        F.when(~bad, F.col("record")).alias("record"),
        F.when(bad, F.col("value")).alias("value"),
    ).persist(StorageLevel.MEMORY_AND_DISK)
    total, bad_count = ctx.checked.agg(F.count(F.lit(1)), F.count("reason")).first()
    ctx.report.input = {
        "parts": sum(len(m.part_keys) for m in ctx.manifests),
        "records": total,
        "manifest_records": sum(m.records for m in ctx.manifests),
    }
    ctx.report.quarantine = {"records": bad_count, "ratio": round(bad_count / total, 6) if total else 0.0}
