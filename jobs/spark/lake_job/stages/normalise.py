"""normalise: the valid records as rows of every curated table, each column derived as its contract
source says (record path, exploded element path, element position, array size, lineage), cast to
the table's type, with the partition value (UTC date of the business date field) and the version
identity (`_source_key`, `_line`, and for records `_event_nanos`) dedupe needs. Also fixes the
partitions this run touches: the business dates of the new records and, from the job's versions
index, the partitions holding stored versions of their keys."""

from __future__ import annotations

from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from ..context import JobContext
from ..contract import EVENT_NANOS, ColumnSource, Contract, Table
from ..tables import read_all

# the version identity of a new record: its raw object and line
VERSION = ("_source_key", "_line")
# position of an element in its array (0-based, from posexplode)
POSITION = "_pos"


def run(ctx: JobContext) -> None:
    assert ctx.checked is not None
    valid = ctx.checked.where(F.col("reason").isNull()).select(
        F.col("record"), F.col("source_key").alias(VERSION[0]), F.col("line").alias(VERSION[1]), EVENT_NANOS
    )
    ctx.new_rows = {t.name: _rows(ctx.contract, t, valid) for t in ctx.contract.tables_of("curated")}
    record, versions = ctx.contract.record_table, ctx.contract.versions_table
    new = ctx.new_rows[record.name]
    # a key lives in one partition: the partitions holding stored versions of the new keys are
    # rewritten too, so a version that moved the business date removes the old row
    key = [F.col(c).alias(k) for c, k in zip(_record_key(ctx), versions.primary_key, strict=True)]
    moved_from = read_all(ctx.spark, ctx.contract, versions, ctx.config.curated_root).join(
        new.select(*key), list(versions.primary_key), "left_semi"
    )
    dates = new.select(record.partition_column).union(moved_from.select(versions.partition_column))
    ctx.touched = sorted(r[0] for r in dates.distinct().collect())


def _record_key(ctx: JobContext) -> list[str]:
    record = ctx.contract.record_table
    return [str(record.column_of("record", (k,))) for k in ctx.contract.primary_key]


def _rows(contract: Contract, table: Table, valid: DataFrame) -> DataFrame:
    frame, extra = valid, [*VERSION]
    if table.source_kind == "record":
        extra.append(EVENT_NANOS)
    if table.source_kind == "explode":
        frame = valid.select("*", F.posexplode(_path(F.col("record"), table.array)).alias(POSITION, "_element"))
        extra.append(POSITION)
    partition = F.date_format(F.col("record").getField(table.partition_source_field), "yyyy-MM-dd").alias(table.partition_column)
    rows = frame.select(*[_source(contract, c).alias(c.name) for c in table.columns], partition, *extra)
    # cast where the type differs; a nested type that differs only in nullability cannot be cast to non-null
    return rows.select(
        *[F.col(f.name) if rows.schema[f.name].dataType.simpleString() == f.dataType.simpleString() else F.col(f.name).cast(f.dataType)
          for f in table.schema.fields],
        table.partition_column,
        *extra,
    )  # fmt: skip


def _source(contract: Contract, column: ColumnSource) -> Column:
    if column.kind == "record":
        return _path(F.col("record"), column.path)
    if column.kind == "element":
        return _path(F.col("_element"), column.path)
    if column.kind == "position":
        return F.col(POSITION) + 1
    if column.kind == "count":
        array = _path(F.col("record"), column.path)
        return F.when(array.isNull(), 0).otherwise(F.size(array))
    return _lineage(contract, column.name)


def _lineage(contract: Contract, name: str) -> Column:
    """Lineage from the raw object key (groups of the exported rawObjectPattern: source, dataset, ingest date, run, part)."""
    key, pattern = F.col(VERSION[0]), contract.layout["rawObjectPattern"]
    return {
        "source_key": key,
        "ingest_date": F.to_date(F.regexp_extract(key, pattern, 3)),
        "run_id": F.regexp_extract(key, pattern, 4),
    }[name]


def _path(root: Column, path: tuple[str, ...]) -> Column:
    return reduce(lambda node, step: node.getField(step), path, root)
