"""validate: every raw line against the contract's rules (record_rules.py, a port of lake-core's
recordValidator), then typed with the raw Spark schema. A record the rules accept is still
quarantined when the job cannot store it: Spark cannot type it, its business date has no `yyyy-MM-dd`
partition (UTC year outside 0001..9999), or it repeats an element key of an exploded array (the
child table's key). Adds `line` (1-based within its raw object), `reason` (null when the record is
valid) and `_event_nanos` (the event time's digits below the microsecond Spark keeps); counts input
and bad records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import Column
from pyspark.sql import functions as F

from ..context import JobContext
from ..contract import EVENT_NANOS, Contract
from ..record_rules import line_checker

_CHECKED_SCHEMA = "source_key string, line long, value string, text string, reason string"
SPARK_CANNOT_TYPE = "$: valid per contract rules but Spark could not read it with the contract schema"


def run(ctx: JobContext) -> None:
    assert ctx.lines is not None
    columns = ctx.contract.columns
    raw_schema = ctx.contract.raw_schema

    def check(rows: Iterator[Any]) -> Iterator[tuple[str, int, str, str, str | None]]:
        checker = line_checker(columns)
        line_of: dict[str, int] = {}
        for row in rows:
            line = line_of.get(row.source_key, 0) + 1
            line_of[row.source_key] = line
            reason, text = checker(row.value)
            yield row.source_key, line, row.value, None if text is row.value else text, reason

    # the tuples' types are fixed above: no per-row type verification in Python
    checked = ctx.spark.createDataFrame(ctx.lines.rdd.mapPartitions(check), _CHECKED_SCHEMA, verifySchema=False)
    typed = checked.withColumn("record", F.when(F.col("reason").isNull(), F.from_json(F.coalesce("text", "value"), raw_schema)))
    # Defence in depth: a record the contract rules accept but Spark cannot type is quarantined with
    # its raw text, never turned into nulls (`text` is set when the checker re-serialised the record).
    required = [f.name for f in raw_schema.fields if not f.nullable]
    unparsed = F.col("reason").isNull() & (
        F.col("record").isNull() | F.exists(F.array(*[F.col(f"record.{n}").isNull() for n in required]), lambda x: x)
    )
    reason = F.when(unparsed, F.lit(SPARK_CANNOT_TYPE))
    for problem, message in _storable(ctx.contract):
        reason = reason.when(F.col("reason").isNull() & problem, message)
    reason = reason.otherwise(F.col("reason"))
    typed = typed.withColumn("reason", reason)
    bad = F.col("reason").isNotNull()
    ctx.checked = typed.select(
        "source_key",
        "line",
        "reason",
        F.when(~bad, F.col("record")).alias("record"),
        F.when(bad, F.col("value")).alias("value"),
        F.when(~bad, _sub_micro_nanos(ctx.contract)).alias(EVENT_NANOS),
    ).persist(StorageLevel.MEMORY_AND_DISK)
    total, bad_count = ctx.checked.agg(F.count(F.lit(1)), F.count("reason")).first()
    ctx.report.input = {
        "parts": sum(len(m.part_keys) for m in ctx.manifests),
        "records": total,
        "manifest_records": sum(m.records for m in ctx.manifests),
    }
    ctx.report.quarantine = {"records": bad_count, "ratio": round(bad_count / total, 6) if total else 0.0}


def _storable(contract: Contract) -> list[tuple[Column, Column]]:
    """(problem, reason) of records valid per the rules that the job still cannot store."""
    field = contract.business_date_field
    business_date = F.to_date(F.col(f"record.{field}"))
    checks = [
        (
            (F.year(business_date) < 1) | (F.year(business_date) > 9999),
            F.concat(
                F.lit(f"{field}: "),
                F.get_json_object(F.coalesce("text", "value"), f"$.{field}"),
                F.lit(" has no yyyy-MM-dd partition (its UTC date is outside years 0001-9999); send the business date in that range"),
            ),
        )
    ]
    for table in contract.explode_tables:
        element_key = [c.path for c in table.columns if c.kind == "element" and c.name in table.primary_key]
        if not element_key or table.column_of("position") is not None:
            continue
        array = F.col("record")
        for step in table.array:
            array = array.getField(step)
        keys = F.transform(array, _key_of(element_key))
        names = ", ".join(".".join(p) for p in element_key)
        checks.append(
            (
                F.coalesce(F.size(F.array_distinct(keys)) < F.size(array), F.lit(False)),
                F.lit(
                    f"{'.'.join(table.array)}: an element key ({names}) is repeated; each element is one row of {table.name}, keyed by it"
                ),
            )
        )
    return checks


def _key_of(paths: list[tuple[str, ...]]) -> Callable[[Column], Column]:
    """An element's key as a struct (a one-argument function: Spark's transform passes the index to two)."""
    return lambda element: F.struct(*[_path(element, p) for p in paths])


def _path(node: Column, path: tuple[str, ...]) -> Column:
    for step in path:
        node = node.getField(step)
    return node


def _sub_micro_nanos(contract: Contract) -> Column:
    """The 7th-9th fraction digits of the event time as written (0-999): Spark keeps microseconds, and
    two versions 100 ns apart must still be ordered."""
    raw = F.get_json_object(F.coalesce("text", "value"), f"$.{contract.event_time_field}")
    digits = F.regexp_extract(raw, r"\.[0-9]{6}([0-9]{1,3})", 1)
    return F.when(digits == "", F.lit(0)).otherwise(F.rpad(digits, 3, "0").cast("int"))
