"""The job: one run per dataset, its stages in data-flow order over one JobContext.

One run processes the raw parts listed by one or more collector run manifests. Curated and analytics
tables are partitioned by business date; a run rewrites only the partitions its input touches,
merging in the rows those partitions already hold, so re-running a window (or replaying an older
one) converges to the same rows. Spark is lazy: a stage's time in the report is the work it starts
(reading happens in validate, normalising and dedupe in write).
"""

from __future__ import annotations

import re
import time

from pyspark.sql import SparkSession

from . import fs
from .config import JobConfig
from .context import JobContext, Report, now
from .contract import Contract, parse_contract
from .errors import JobError
from .session import apply_job_settings
from .stages import analytics, catalog, dedupe, normalise, quarantine, read, report, validate, write

STAGES = (read, validate, quarantine, normalise, dedupe, write, analytics, catalog, report)


def load_contract(spark: SparkSession, uri: str) -> Contract:
    if not fs.exists(spark, uri):
        raise JobError(f"contract not found: {uri}")
    return parse_contract(fs.read_text(spark, uri), uri)


def run(spark: SparkSession, config: JobConfig) -> Report:
    apply_job_settings(spark, config)
    contract = load_contract(spark, config.contract_uri)
    ctx = JobContext(spark, config, contract, Report(contract.name, config.job_run_id, contract.version, config.__dict__.copy(), now()))
    try:
        analytics.check(ctx)  # a contract whose SQL cannot produce its tables fails before any data is read
        for stage in STAGES:
            started, name = time.monotonic(), stage.__name__.rsplit(".", 1)[-1]
            try:
                stage.run(ctx)
            except JobError:
                raise
            except Exception as err:  # e.g. an ANSI overflow in Spark: still a failed run naming its input
                # a Py4J error's first line names only the call; the Spark error class comes later
                spark_error = re.search(r"\[[A-Z_]{3,}\][^\n]*", str(err))
                first_line = spark_error[0] if spark_error else (str(err).strip().splitlines() or [""])[0]
                raise JobError(
                    f"stage {name} failed for {contract.name} on manifests {', '.join(config.manifest_keys)}: "
                    f"{type(err).__name__}: {first_line}"
                ) from err
            ctx.report.stage_seconds[name] = round(time.monotonic() - started, 3)
        ctx.report.status = "succeeded"
        return ctx.report
    except Exception as err:
        ctx.report.status = "failed"
        ctx.report.error = f"{type(err).__name__}: {err}"
        raise
    finally:
        ctx.report.finished_at = now()
        report.write(ctx)
