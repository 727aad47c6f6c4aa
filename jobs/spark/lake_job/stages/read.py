"""read: the run manifests (written by the collector, schema in lake-core's manifest.ts), then the raw
NDJSON lines of the parts they list, with the raw key each line came from."""

from __future__ import annotations

import json

from pyspark.sql import functions as F

from .. import fs
from ..context import JobContext, Manifest
from ..errors import JobError


def run(ctx: JobContext) -> None:
    ctx.manifests = [_manifest(ctx, key) for key in ctx.config.manifest_keys]
    ctx.report.manifests = [{"key": m.key, "run_id": m.run_id, "records": m.records, "parts": len(m.part_keys)} for m in ctx.manifests]
    uris = [f"{ctx.config.raw_root}/{key}" for m in ctx.manifests for key in m.part_keys]
    missing = [u for u in uris if not fs.exists(ctx.spark, u)]
    if missing:
        raise JobError(f"{len(missing)} raw part(s) listed in the manifests are missing, e.g. {missing[0]}")
    key_pattern = ctx.contract.layout["rawObjectPattern"].lstrip("^")
    # gzip is not splittable: one part is read by one task. Spark packs small parts into about one task
    # per core; four per core keep both cores busy to the end (validation is CPU-bound). A session
    # setting, read when the first action plans the scan.
    ctx.spark.conf.set("spark.sql.files.minPartitionNum", str(4 * ctx.spark.sparkContext.defaultParallelism))
    # the parts were just checked one by one from the driver: listing them again in a Spark job of one
    # task per part (Spark's default above 32 paths) only adds a job as long as the checks
    ctx.spark.conf.set("spark.sql.sources.parallelPartitionDiscovery.threshold", str(len(uris) + 1))
    ctx.lines = ctx.spark.read.text(uris).select(F.regexp_extract(F.input_file_name(), key_pattern, 0).alias("source_key"), F.col("value"))


def _manifest(ctx: JobContext, key: str) -> Manifest:
    uri = f"{ctx.config.raw_root}/{key}"
    if not fs.exists(ctx.spark, uri):
        raise JobError(f"run manifest not found: {uri}")
    try:
        doc = json.loads(fs.read_text(ctx.spark, uri))
        if doc.get("version") != 1:
            raise JobError(f"run manifest {uri}: unsupported version {doc.get('version')!r}, expected 1")
        if doc["dataset"] != ctx.contract.name:
            raise JobError(f"run manifest {uri}: dataset {doc['dataset']!r} is not the contract's {ctx.contract.name!r}")
        parts = [p["key"] for p in doc["parts"]]
        for part in parts:
            ctx.contract.parse_raw_key(part)
        return Manifest(key, doc["runId"], doc["ingestDate"], doc["records"], doc["bytes"], parts)
    except JobError:
        raise
    except (ValueError, KeyError, TypeError) as err:
        raise JobError(f"run manifest {uri} is invalid: {type(err).__name__}: {err}") from err
