"""dedupe: the latest version of each primary key over the new rows *and the rows already stored in
the touched partitions* (newest event time to the nanosecond as written, then latest ingest: ingest
date, run id, raw key, line; a stored row loses a tie to a new one), so re-runs and replays converge.
The touched partitions include those holding older versions of the new keys, so a key's winner is
its only row, wherever its business date moved. Also yields the versions index of the winners. Rows of exploded tables
follow their parent's winning version: an element dropped by a newer version disappears, a stored
version that still wins keeps its stored elements. Within one version an element key repeated in
the array keeps its last occurrence."""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from ..context import JobContext
from ..contract import EVENT_NANOS, LINEAGE_NAMES, Table
from ..tables import read_partitions
from .normalise import POSITION, VERSION

_ORIGIN = "_origin"  # 1: a new row of this run, 0: a row already stored


def run(ctx: JobContext) -> None:
    contract, record, versions = ctx.contract, ctx.contract.record_table, ctx.contract.versions_table
    key = _key_columns(ctx, record)
    # stored rows take their sub-microsecond event digits from the index (0 for rows written before it)
    index = _stored(ctx, versions).select(
        *[F.col(v).alias(k) for v, k in zip(versions.primary_key, key, strict=True)], record.partition_column, EVENT_NANOS
    )
    stored = (
        _stored(ctx, record)
        .join(index, [*key, record.partition_column], "left")
        .withColumn(EVENT_NANOS, F.coalesce(F.col(EVENT_NANOS), F.lit(0)))
        .withColumn(VERSION[0], F.lit(None).cast("string"))
        .withColumn(VERSION[1], F.lit(-1).cast("long"))
    )
    candidates = ctx.new_rows[record.name].withColumn(_ORIGIN, F.lit(1)).unionByName(stored.withColumn(_ORIGIN, F.lit(0)))
    event_time = record.column_of("record", (contract.event_time_field,))
    order = [event_time, EVENT_NANOS, *LINEAGE_NAMES, _ORIGIN, VERSION[1]]
    latest = Window.partitionBy(*key).orderBy(*[F.col(c).desc() for c in order])
    winners = candidates.withColumn("_rank", F.row_number().over(latest)).where("_rank = 1").drop("_rank").persist()

    ctx.curated = {record.name: winners.select(*record.schema.fieldNames(), record.partition_column)}
    ctx.versions = winners.select(
        *[F.col(k).alias(v) for k, v in zip(key, versions.primary_key, strict=True)], EVENT_NANOS, record.partition_column
    )
    new_versions = winners.where(F.col(_ORIGIN) == 1).select(*key, *VERSION)
    stored_keys = winners.where(F.col(_ORIGIN) == 0).select(*key)
    for table in contract.explode_tables:
        child_key = _key_columns(ctx, table)
        rename = [F.col(p).alias(c) for p, c in zip(key, child_key, strict=True)]
        new = ctx.new_rows[table.name].join(new_versions.select(*rename, *VERSION), [*child_key, *VERSION], "left_semi")
        if table.column_of("position") is None:
            last = Window.partitionBy(*table.primary_key).orderBy(F.col(POSITION).desc())
            new = new.withColumn("_rank", F.row_number().over(last)).where("_rank = 1")
        kept = _stored(ctx, table).join(stored_keys.select(*rename), child_key, "left_semi")
        ctx.curated[table.name] = new.select(*table.schema.fieldNames(), table.partition_column).unionByName(kept)


def _stored(ctx: JobContext, table: Table) -> DataFrame:
    return read_partitions(ctx.spark, ctx.contract, ctx.config, table, ctx.config.curated_root, ctx.touched)


def _key_columns(ctx: JobContext, table: Table) -> list[str]:
    """The table's columns holding the record's primary key (checked when the contract was parsed)."""
    return [str(table.column_of("record", (k,))) for k in ctx.contract.primary_key]
