"""The job, in data-flow order: read -> validate -> normalise -> dedupe -> write -> analytics -> report.

One run processes the raw parts listed by one or more collector run manifests. Curated and analytics
tables are partitioned by business date (`dt`); a run rewrites only the `dt` partitions its input
touches, merging in the rows those partitions already hold, so re-running a window (or replaying an
older one) converges to the same rows.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DecimalType, StringType, StructField, StructType

from . import fs
from .config import JobConfig
from .contract import Contract, Table, parse_contract
from .session import apply_job_settings
from .validate import line_validator


class JobError(RuntimeError):
    """The run cannot proceed; the message names the input (manifest, key, table) at fault."""


class BadRecordRatioExceeded(JobError):
    pass


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


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------- read


def load_contract(spark: SparkSession, uri: str) -> Contract:
    if not fs.exists(spark, uri):
        raise JobError(f"contract not found: {uri}")
    return parse_contract(fs.read_text(spark, uri), uri)


def read_manifests(spark: SparkSession, contract: Contract, config: JobConfig) -> list[Manifest]:
    """Reads and checks each run manifest (written by the collector, schema in lake-core manifest.ts)."""
    manifests = []
    for key in config.manifest_keys:
        uri = f"{config.raw_root}/{key}"
        if not fs.exists(spark, uri):
            raise JobError(f"run manifest not found: {uri}")
        try:
            doc = json.loads(fs.read_text(spark, uri))
            if doc.get("version") != 1:
                raise JobError(f"run manifest {uri}: unsupported version {doc.get('version')!r}, expected 1")
            if doc["dataset"] != contract.name:
                raise JobError(f"run manifest {uri}: dataset {doc['dataset']!r} is not the contract's {contract.name!r}")
            parts = [p["key"] for p in doc["parts"]]
            for part in parts:
                contract.parse_raw_key(part)
            manifests.append(Manifest(key, doc["runId"], doc["ingestDate"], doc["records"], doc["bytes"], parts))
        except (ValueError, KeyError, TypeError) as err:
            if isinstance(err, JobError):
                raise
            raise JobError(f"run manifest {uri} is invalid: {type(err).__name__}: {err}") from err
    return manifests


def read_raw_lines(spark: SparkSession, contract: Contract, config: JobConfig, manifests: list[Manifest]) -> DataFrame:
    """Raw NDJSON lines with the raw key they came from (gzip is not splittable: one file, one task)."""
    uris = [f"{config.raw_root}/{key}" for m in manifests for key in m.part_keys]
    missing = [u for u in uris if not fs.exists(spark, u)]
    if missing:
        raise JobError(f"{len(missing)} raw part(s) listed in the manifests are missing, e.g. {missing[0]}")
    key_pattern = contract.layout["rawObjectPattern"].lstrip("^")
    return spark.read.text(uris).select(F.regexp_extract(F.input_file_name(), key_pattern, 0).alias("source_key"), F.col("value"))


# ------------------------------------------------------------------------------------------ validate

_CHECKED_SCHEMA = "source_key string, line long, value string, reason string"


def validate(spark: SparkSession, contract: Contract, lines: DataFrame) -> DataFrame:
    """Adds `line` (1-based within its raw object) and `reason` (null when the record is valid)."""
    columns = contract.columns

    def check(rows: Iterator[Any]) -> Iterator[tuple[str, int, str, str | None]]:
        validator = line_validator(columns)
        line_of: dict[str, int] = {}
        for row in rows:
            line = line_of.get(row.source_key, 0) + 1
            line_of[row.source_key] = line
            yield row.source_key, line, row.value, validator(row.value)

    checked = spark.createDataFrame(lines.rdd.mapPartitions(check), _CHECKED_SCHEMA)
    typed = checked.withColumn("record", F.when(F.col("reason").isNull(), F.from_json("value", contract.raw_schema)))
    # Defence in depth: a record the contract rules accept but Spark cannot type (e.g. 12.0 for a
    # long) is quarantined with its raw text, never turned into nulls.
    required = [f.name for f in contract.raw_schema.fields if not f.nullable]
    unparsed = F.col("reason").isNull() & (
        F.col("record").isNull() | F.exists(F.array(*[F.col(f"record.{n}").isNull() for n in required]), lambda x: x)
    )
    bad = F.col("reason").isNotNull() | unparsed
    return typed.select(
        "source_key",
        "line",
        F.when(unparsed, F.lit("$: valid per contract rules but Spark could not read it with the contract schema"))
        .otherwise(F.col("reason"))
        .alias("reason"),
        F.when(~bad, F.col("record")).alias("record"),
        F.when(bad, F.col("value")).alias("value"),
    )


def write_quarantine(contract: Contract, config: JobConfig, checked: DataFrame) -> None:
    """Bad records as gzip NDJSON: source key, line, reason and the raw text, nothing dropped."""
    bad = checked.where(F.col("reason").isNotNull()).select(
        "source_key", "line", "reason", F.col("value").alias("raw"), F.lit(config.job_run_id).alias("job_run_id")
    )
    uri = f"{config.curated_root}/{contract.path('quarantine', job_run_id=config.job_run_id)}"
    bad.coalesce(1).sortWithinPartitions("source_key", "line").write.mode("overwrite").option("compression", "gzip").json(uri)


# ----------------------------------------------------------------------------------------- normalise


def normalise_invoices(contract: Contract, checked: DataFrame) -> DataFrame:
    """Valid records flattened to the parent table's columns (structs as `<struct>_<field>`), with
    lineage, the business date partition and the items kept aside for the child table."""
    parent = _parent_table(contract)
    child_array = _child_array(contract)
    key = contract.layout["rawObjectPattern"]
    sources: dict[str, Column] = {
        "ingest_date": F.to_date(F.regexp_extract("source_key", key, 3)),
        "run_id": F.regexp_extract("source_key", key, 4),
        "source_key": F.col("source_key"),
        "item_count": F.size(f"record.{child_array}"),
    }
    for f in contract.raw_schema.fields:
        if isinstance(f.dataType, StructType):
            for sub in f.dataType.fields:
                sources[f"{f.name}_{sub.name}"] = F.col(f"record.{f.name}.{sub.name}")
        else:
            sources[f.name] = F.col(f"record.{f.name}")
    unknown = [c.name for c in parent.schema.fields if c.name not in sources]
    if unknown:
        raise JobError(f"table {parent.name}: no source for columns {unknown} in the raw record")
    return checked.where(F.col("reason").isNull()).select(
        *[sources[c.name].cast(c.dataType).alias(c.name) for c in parent.schema.fields],
        F.date_format(F.col(f"record.{parent.partition_source_field}"), "yyyy-MM-dd").alias(parent.partition_column),
        F.col(f"record.{child_array}").alias("_items"),
        F.col("line").alias("_line"),
    )


def _parent_table(contract: Contract) -> Table:
    keyed = [t for t in contract.tables_of("curated") if t.primary_key == contract.primary_key]
    if len(keyed) != 1:
        raise JobError(f"contract {contract.name}: expected one curated table keyed by {contract.primary_key}")
    return keyed[0]


def _child_array(contract: Contract) -> str:
    arrays = [f.name for f in contract.raw_schema.fields if isinstance(f.dataType, ArrayType)]
    if len(arrays) != 1:
        raise JobError(f"contract {contract.name}: expected exactly one nested array to explode, got {arrays}")
    return arrays[0]


def _child_table(contract: Contract) -> Table:
    parent = _parent_table(contract)
    children = [t for t in contract.tables_of("curated") if t is not parent]
    if len(children) != 1:
        raise JobError(f"contract {contract.name}: expected one child (exploded) curated table")
    return children[0]


# -------------------------------------------------------------------------------------------- dedupe


def read_table(spark: SparkSession, contract: Contract, config: JobConfig, table: Table, root: str, dts: list[str]) -> DataFrame | None:
    """Existing rows of `dts` partitions of a table, typed with the contract schema; None if absent."""
    uri = table_uri(contract, root, table)
    if not fs.exists(spark, uri):
        return None
    schema = StructType([*table.schema.fields, StructField(table.partition_column, StringType(), False)])
    if config.table_format == "delta" and table.layer == "curated":
        frame = spark.read.format("delta").load(uri)
    else:
        frame = spark.read.schema(schema).parquet(uri)
    return frame.where(F.col(table.partition_column).isin(dts)).select(*schema.fieldNames())


def dedupe(spark: SparkSession, contract: Contract, config: JobConfig, new: DataFrame, dts: list[str]) -> tuple[DataFrame, DataFrame]:
    """Latest version per primary key over (new rows + rows already in the touched partitions):
    newest event time, then latest ingest (ingest date, run, raw key, line); returns the parent
    table rows and the child table rows of the winning versions."""
    parent, child = _parent_table(contract), _child_table(contract)
    candidates = new.withColumn("_origin", F.lit(1))
    existing = read_table(spark, contract, config, parent, config.curated_root, dts)
    if existing is not None:
        candidates = candidates.unionByName(
            existing.withColumn("_items", F.lit(None).cast(new.schema["_items"].dataType))
            .withColumn("_line", F.lit(-1).cast("long"))
            .withColumn("_origin", F.lit(0))
        )
    order = [contract.event_time_field, "ingest_date", "run_id", "source_key", "_origin", "_line"]
    latest = Window.partitionBy(*parent.primary_key).orderBy(*[F.col(c).desc() for c in order])
    winners = candidates.withColumn("_rank", F.row_number().over(latest)).where("_rank = 1").drop("_rank")
    winners = winners.persist()

    invoices = winners.select(*parent.schema.fieldNames(), parent.partition_column)
    exploded = winners.where("_origin = 1").select("*", F.posexplode("_items").alias("_pos", "_item"))
    item_fields = set(exploded.schema["_item"].dataType.fieldNames())
    items = exploded.select(
        *[
            (F.col(f"_item.{c.name}") if c.name in item_fields else F.col(c.name)).cast(c.dataType).alias(c.name)
            for c in child.schema.fields
        ],
        child.partition_column,
        "_pos",
    )
    # a version repeating an item number keeps its last occurrence
    per_item = Window.partitionBy(*child.primary_key).orderBy(F.col("_pos").desc())
    items = items.withColumn("_rank", F.row_number().over(per_item)).where("_rank = 1").drop("_rank", "_pos")
    existing_items = read_table(spark, contract, config, child, config.curated_root, dts)
    if existing_items is not None:
        kept = winners.where("_origin = 0").select(*parent.primary_key)
        items = items.unionByName(existing_items.join(kept, list(parent.primary_key), "left_semi"))
    return invoices, items


# --------------------------------------------------------------------------------------------- write

# Compressed Parquet bytes per value, by type, calibrated on generated invoices (bench/spark-bench.py:
# ~55 B/invoice row, ~20 B/item row with zstd); slightly high, so files stay at or under the target.
_VALUE_BYTES = {"string": 3, "decimal": 3, "long": 3, "integer": 1, "timestamp": 4, "date": 1}


def estimated_row_bytes(schema: StructType) -> int:
    total = 0
    for f in schema.fields:
        kind = "decimal" if isinstance(f.dataType, DecimalType) else f.dataType.typeName()
        total += _VALUE_BYTES.get(kind, 8)
    return total


def table_uri(contract: Contract, root: str, table: Table) -> str:
    return f"{root}/{contract.path('tablePrefix', table=table.name)}".rstrip("/")


def write_table(spark: SparkSession, config: JobConfig, contract: Contract, table: Table, root: str, frame: DataFrame) -> dict[str, int]:
    """Dynamic partition overwrite of the partitions present in `frame`, sized to the target file
    size: each partition gets ceil(rows x estimated row bytes / target) files, rows sorted by key."""
    part = table.partition_column
    rows_per_dt = {r[part]: r["n"] for r in frame.groupBy(part).agg(F.count(F.lit(1)).alias("n")).collect()}
    target = config.target_file_size_mb * 1024 * 1024
    row_bytes = estimated_row_bytes(table.schema)
    files_per_dt = {dt: max(1, math.ceil(n * row_bytes / target)) for dt, n in rows_per_dt.items()}
    if not files_per_dt:
        return {}
    buckets = F.create_map(*[x for dt, n in files_per_dt.items() for x in (F.lit(dt), F.lit(n))])
    salted = frame.withColumn("_file", F.pmod(F.xxhash64(*table.primary_key), buckets[F.col(part)]))
    ordered = salted.repartition(sum(files_per_dt.values()), part, "_file").sortWithinPartitions(part, "_file", *table.primary_key)
    out = ordered.drop("_file").select(*table.schema.fieldNames(), part)
    uri = table_uri(contract, root, table)
    if config.table_format == "delta" and table.layer == "curated":
        out.write.format("delta").mode("overwrite").option("partitionOverwriteMode", "dynamic").partitionBy(part).save(uri)
    else:
        out.write.mode("overwrite").option("compression", config.compression).partitionBy(part).parquet(uri)
    return rows_per_dt


# ----------------------------------------------------------------------------------------- analytics


def build_analytics(contract: Contract, invoices: DataFrame, items: DataFrame) -> dict[str, DataFrame]:
    """Analytics tables of the touched dates, computed from the curated rows of those dates."""
    authorized = F.col("status") == "authorized"
    revenue = invoices.groupBy("dt", "issuer_state").agg(
        F.count(F.when(authorized, 1)).alias("invoice_count"),
        F.coalesce(F.sum(F.when(authorized, F.col("item_count"))), F.lit(0)).alias("item_count"),
        F.coalesce(F.sum(F.when(authorized, F.col("total_amount"))), F.lit(0)).alias("revenue"),
        F.coalesce(F.sum(F.when(authorized, F.coalesce("total_tax", F.lit(0)))), F.lit(0)).alias("tax"),
        F.count(F.when(F.col("status") == "cancelled", 1)).alias("cancelled_count"),
    )
    sold = items.join(invoices.where(authorized).select("invoice_id", "dt"), ["invoice_id", "dt"], "left_semi")
    by_description = (
        sold.groupBy("dt", "product_code", "description")
        .agg(F.count(F.lit(1)).alias("n"))
        .withColumn("_r", F.row_number().over(Window.partitionBy("dt", "product_code").orderBy(F.col("n").desc(), "description")))
        .where("_r = 1")
        .select("dt", "product_code", "description")
    )
    products = (
        sold.groupBy("dt", "product_code")
        .agg(
            F.sum("quantity").alias("quantity"),
            F.sum("total_price").alias("revenue"),
            F.countDistinct("invoice_id").alias("invoice_count"),
        )
        .join(by_description, ["dt", "product_code"])
        .withColumn("revenue_rank", F.row_number().over(Window.partitionBy("dt").orderBy(F.col("revenue").desc(), "product_code")))
        .where(F.col("revenue_rank") <= TOP_PRODUCTS)
    )
    frames = {"daily_revenue_by_state": revenue, "top_products_daily": products}
    out = {}
    for table in contract.tables_of("analytics"):
        if table.name not in frames:
            raise JobError(f"analytics table {table.name} of contract {contract.name} has no builder in the job")
        out[table.name] = frames[table.name].select(
            *[F.col(c.name).cast(c.dataType).alias(c.name) for c in table.schema.fields], table.partition_column
        )
    return out


TOP_PRODUCTS = 100


def register_partitions(contract: Contract, config: JobConfig, written: dict[str, tuple[str, list[str]]]) -> dict[str, int]:
    """Adds the written partitions to Glue for tables without partition projection (boto3; on EMR
    the instance profile's credentials, locally AWS_ENDPOINT_URL to moto). Existing ones are kept."""
    import boto3

    glue = boto3.client("glue")
    added = {}
    for name, (root, dts) in written.items():
        table = contract.table(name)
        try:
            descriptor = glue.get_table(DatabaseName=config.glue_database, Name=name)["Table"]["StorageDescriptor"]
        except glue.exceptions.EntityNotFoundException as err:
            raise JobError(f"catalog registration: table {config.glue_database}.{name} does not exist in Glue") from err
        inputs = [
            {
                "Values": [dt],
                "StorageDescriptor": {**descriptor, "Location": f"{table_uri(contract, root, table)}/{table.partition_column}={dt}/"},
            }
            for dt in dts
        ]
        added[name] = 0
        for start in range(0, len(inputs), 100):
            batch = inputs[start : start + 100]
            errors = glue.batch_create_partition(DatabaseName=config.glue_database, TableName=name, PartitionInputList=batch).get(
                "Errors", []
            )
            failed = [e for e in errors if e["ErrorDetail"]["ErrorCode"] != "AlreadyExistsException"]
            if failed:
                raise JobError(f"catalog registration of {config.glue_database}.{name} failed: {failed[0]}")
            added[name] += len(batch) - len(errors)
    return added


# -------------------------------------------------------------------------------------------- report


def table_stats(
    spark: SparkSession, contract: Contract, config: JobConfig, table: Table, root: str, rows_per_dt: dict[str, int]
) -> dict[str, Any]:
    """Rows, files and bytes of the partitions a run wrote (the live files: a Delta table's snapshot)."""
    uri = table_uri(contract, root, table)
    dts = sorted(rows_per_dt)
    if config.table_format == "delta" and table.layer == "curated":
        frame = spark.read.format("delta").load(uri).where(F.col(table.partition_column).isin(dts))
        files = [r[0] for r in frame.select(F.input_file_name()).distinct().collect()]
    else:
        files = [f for dt in dts for f in fs.list_files(spark, f"{uri}/{table.partition_column}={dt}")]
    sizes = [fs.file_size(spark, f) for f in files]
    return {
        "rows": sum(rows_per_dt.values()),
        "partitions": dts,
        "files": len(files),
        "bytes": sum(sizes),
        "max_file_bytes": max(sizes, default=0),
        "min_file_bytes": min(sizes, default=0),
    }


def write_report(spark: SparkSession, contract: Contract, config: JobConfig, report: Report) -> str:
    uri = f"{config.curated_root}/{contract.path('jobReport', job_run_id=config.job_run_id)}"
    fs.write_text(spark, uri, json.dumps(report.__dict__, indent=2, sort_keys=True) + "\n")
    return uri


# ----------------------------------------------------------------------------------------------- run


def run(spark: SparkSession, config: JobConfig) -> Report:
    apply_job_settings(spark, config)
    contract = load_contract(spark, config.contract_uri)
    report = Report(contract.name, config.job_run_id, contract.version, config.__dict__.copy(), _now())
    clock = time.monotonic()

    def stage(name: str) -> None:
        nonlocal clock
        report.stage_seconds[name] = round(time.monotonic() - clock, 3)
        clock = time.monotonic()

    try:
        manifests = read_manifests(spark, contract, config)
        report.manifests = [{"key": m.key, "run_id": m.run_id, "records": m.records, "parts": len(m.part_keys)} for m in manifests]
        checked = validate(spark, contract, read_raw_lines(spark, contract, config, manifests)).persist(StorageLevel.MEMORY_AND_DISK)
        total, bad = checked.agg(F.count(F.lit(1)), F.count("reason")).first()
        stage("read_validate")
        report.input = {
            "parts": sum(len(m.part_keys) for m in manifests),
            "records": total,
            "manifest_records": sum(m.records for m in manifests),
        }
        ratio = bad / total if total else 0.0
        report.quarantine = {"records": bad, "ratio": round(ratio, 6), "prefix": contract.path("quarantine", job_run_id=config.job_run_id)}
        if bad:
            write_quarantine(contract, config, checked)
            report.quarantine["top_reasons"] = _top_reasons(checked)
        stage("quarantine")
        if ratio > config.max_bad_record_ratio:
            raise BadRecordRatioExceeded(
                f"{bad} of {total} records ({ratio:.2%}) failed validation, above --max-bad-record-ratio "
                f"{config.max_bad_record_ratio}; see {config.curated_root}/{report.quarantine['prefix']}"
            )

        new = normalise_invoices(contract, checked)
        dts = sorted(r[0] for r in new.select("dt").distinct().collect())
        invoices, items = dedupe(spark, contract, config, new, dts)
        parent, child = _parent_table(contract), _child_table(contract)
        written = {
            parent.name: (config.curated_root, write_table(spark, config, contract, parent, config.curated_root, invoices)),
            child.name: (config.curated_root, write_table(spark, config, contract, child, config.curated_root, items)),
        }
        spark.catalog.clearCache()
        stage("normalise_dedupe_write")

        curated_invoices = read_table(spark, contract, config, parent, config.curated_root, dts)
        curated_items = read_table(spark, contract, config, child, config.curated_root, dts)
        if curated_invoices is not None and curated_items is not None:
            for name, frame in build_analytics(contract, curated_invoices, curated_items).items():
                written[name] = (
                    config.analytics_root,
                    write_table(spark, config, contract, contract.table(name), config.analytics_root, frame),
                )
        stage("analytics")

        if config.catalog_mode == "register":
            plain = {
                n: (root, sorted(counts))
                for n, (root, counts) in written.items()
                if contract.table(n).layer == "analytics" or config.table_format == "parquet"
            }
            report.catalog = register_partitions(contract, config, plain)
        report.tables = {
            name: table_stats(spark, contract, config, contract.table(name), root, parts) for name, (root, parts) in written.items()
        }
        stage("report")
        report.status = "succeeded"
        return report
    except Exception as err:
        report.status = "failed"
        report.error = f"{type(err).__name__}: {err}"
        raise
    finally:
        report.finished_at = _now()
        write_report(spark, contract, config, report)


def _top_reasons(checked: DataFrame, limit: int = 10) -> list[dict[str, Any]]:
    """Most frequent first issues, with the record's values cut off (`path: message` kinds)."""
    kind = F.regexp_replace(F.split("reason", "; ").getItem(0), r'(string ".*?"|number \S+)', "<value>")
    rows = checked.where(F.col("reason").isNotNull()).groupBy(kind.alias("reason")).count().orderBy(F.desc("count"), "reason").limit(limit)
    return [{"reason": r["reason"], "records": r["count"]} for r in rows.collect()]
