"""write: dynamic partition overwrite of the touched partitions of every curated table (Parquet, or
Delta with `--table-format delta`), so re-running a window converges to the same rows. Files per
partition = ceil(rows x estimated row bytes / `--target-file-size-mb`), rows hash-bucketed by key
and sorted by key within files."""

from __future__ import annotations

import math

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DecimalType, StructType

from .. import fs
from ..config import JobConfig
from ..context import JobContext, Written
from ..contract import Contract, Table
from ..errors import JobError
from ..tables import is_delta, table_uri

# Compressed Parquet bytes per value, by type, calibrated on generated invoices (bench/spark-bench.py:
# ~55 B/invoice row, ~20 B/item row with zstd); slightly high, so files stay at or under the target.
_VALUE_BYTES = {"string": 3, "decimal": 3, "long": 3, "integer": 1, "timestamp": 4, "date": 1}


def run(ctx: JobContext) -> None:
    assert ctx.versions is not None
    root, drop_later = ctx.config.curated_root, []
    for table in ctx.contract.tables_of("curated"):
        rows = write_table(ctx.config, ctx.contract, table, root, ctx.curated[table.name], ctx.touched, drop_later)
        ctx.written[table.name] = Written(root, rows)
    # the index last: a run failing before this point leaves the old index, which a re-run corrects
    write_table(ctx.config, ctx.contract, ctx.contract.versions_table, root, ctx.versions, ctx.touched, drop_later)
    # only now: until the last write, Spark may recompute the frames above from the stored partitions
    for table, partitions in drop_later:
        _drop_partitions(ctx.spark, ctx.config, ctx.contract, table, root, partitions)
    ctx.spark.catalog.clearCache()


def estimated_row_bytes(schema: StructType) -> int:
    total = 0
    for f in schema.fields:
        kind = "decimal" if isinstance(f.dataType, DecimalType) else f.dataType.typeName()
        total += _VALUE_BYTES.get(kind, 8)
    return total


def write_table(
    config: JobConfig,
    contract: Contract,
    table: Table,
    root: str,
    frame: DataFrame,
    touched: list[str],
    drop_later: list[tuple[Table, list[str]]] | None = None,
) -> dict[str, int]:
    """Writes the partitions present in `frame`, which must be among the run's `touched` ones (an
    overwrite of any other partition would drop its rows), and removes the touched partitions `frame`
    has no rows for: right away, or by the caller when it passes `drop_later`. Returns rows per partition."""
    part = table.partition_column
    rows_per_dt = {r[part]: r["n"] for r in frame.groupBy(part).agg(F.count(F.lit(1)).alias("n")).collect()}
    outside = sorted(set(rows_per_dt) - set(touched), key=str)
    if outside:
        raise JobError(
            f"invalid rows for table {table.name}: got {part} values {outside[:5]} outside the partitions this run touched "
            f"({touched[0]}..{touched[-1]}); derive {part} from the input rows' {part}"
        )
    if rows_per_dt:
        _write(config, contract, table, root, frame, rows_per_dt)
    empty = sorted(set(touched) - set(rows_per_dt))
    if drop_later is None:
        _drop_partitions(frame.sparkSession, config, contract, table, root, empty)
    else:
        drop_later.append((table, empty))
    return rows_per_dt


def _write(config: JobConfig, contract: Contract, table: Table, root: str, frame: DataFrame, rows_per_dt: dict[str, int]) -> None:
    part = table.partition_column
    target = config.target_file_size_mb * 1024 * 1024
    row_bytes = estimated_row_bytes(table.schema)
    files_per_dt = {dt: max(1, math.ceil(n * row_bytes / target)) for dt, n in rows_per_dt.items()}
    buckets = F.create_map(*[x for dt, n in files_per_dt.items() for x in (F.lit(dt), F.lit(n))])
    salted = frame.withColumn("_file", F.pmod(F.xxhash64(*table.primary_key), buckets[F.col(part)]))
    ordered = salted.repartition(sum(files_per_dt.values()), part, "_file").sortWithinPartitions(part, "_file", *table.primary_key)
    out = ordered.drop("_file").select(*table.schema.fieldNames(), part)
    uri = table_uri(contract, root, table)
    if is_delta(config, table):
        out.write.format("delta").mode("overwrite").option("partitionOverwriteMode", "dynamic").partitionBy(part).save(uri)
    else:
        out.write.mode("overwrite").option("compression", config.compression).partitionBy(part).parquet(uri)


def _drop_partitions(spark: SparkSession, config: JobConfig, contract: Contract, table: Table, root: str, partitions: list[str]) -> None:
    """Touched partitions left without rows (their only keys moved to another business date) are
    removed: a dynamic overwrite never clears a partition it writes nothing to."""
    uri = table_uri(contract, root, table)
    if not partitions or not fs.exists(spark, uri):
        return
    if is_delta(config, table):
        values = ", ".join(f"'{p}'" for p in partitions)  # yyyy-MM-dd strings made by the job
        spark.sql(f"DELETE FROM delta.`{uri}` WHERE {table.partition_column} IN ({values})")
    else:
        for p in partitions:
            fs.delete(spark, f"{uri}/{table.partition_column}={p}")
