"""quarantine: bad records as gzip NDJSON `{source_key, line, reason, raw, job_run_id}` under the
contract's quarantine prefix, nothing dropped; the run fails (before any table is touched) when the
bad share is above `--max-bad-record-ratio`."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ..context import JobContext
from ..errors import BadRecordRatioExceeded


def run(ctx: JobContext) -> None:
    assert ctx.checked is not None
    config, report = ctx.config, ctx.report
    prefix = ctx.contract.path("quarantine", job_run_id=config.job_run_id)
    report.quarantine["prefix"] = prefix
    bad, total = report.quarantine["records"], report.input["records"]
    ratio = bad / total if total else 0.0
    if bad:
        rows = ctx.checked.where(F.col("reason").isNotNull()).select(
            "source_key", "line", "reason", F.col("value").alias("raw"), F.lit(config.job_run_id).alias("job_run_id")
        )
        rows.coalesce(1).sortWithinPartitions("source_key", "line").write.mode("overwrite").option("compression", "gzip").json(
            f"{config.curated_root}/{prefix}"
        )
        report.quarantine["top_reasons"] = _top_reasons(ctx.checked)
    if ratio > config.max_bad_record_ratio:
        raise BadRecordRatioExceeded(
            f"{bad} of {total} records ({ratio:.2%}) failed validation, above --max-bad-record-ratio "
            f"{config.max_bad_record_ratio}; see {config.curated_root}/{prefix}"
        )


def _top_reasons(checked: DataFrame, limit: int = 10) -> list[dict[str, Any]]:
    """Most frequent first issues, with the record's values cut off (`path: message` kinds)."""
    kind = F.regexp_replace(F.split("reason", "; ").getItem(0), r'(string ".*?"|number \S+)', "<value>")
    rows = checked.where(F.col("reason").isNotNull()).groupBy(kind.alias("reason")).count().orderBy(F.desc("count"), "reason").limit(limit)
    return [{"reason": r["reason"], "records": r["count"]} for r in rows.collect()]
