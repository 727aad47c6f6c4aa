"""The dataset contract exported by lake-core (`<dataset>.contract.json`, format 2).

Everything typed here (schemas, keys, partitioning, how each curated column is derived, the
analytics SQL, the S3 layout) comes from that JSON: the job never names a dataset or a column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pyspark.sql.types import ArrayType, DataType, IntegerType, StructField, StructType

from .errors import ContractError

FORMAT = 2
# what `{"from": "lineage"}` columns may be called (lake-core's LINEAGE_COLUMNS), in the order that
# breaks event-time ties between versions (latest ingest wins)
LINEAGE_NAMES = ("ingest_date", "run_id", "source_key")
VERSIONS_TABLE = "_versions"
EVENT_NANOS = "_event_nanos"  # 0-999: the event time's nanoseconds below its microsecond
_COLUMN_SOURCES = {"record": True, "element": True, "position": False, "count": True, "lineage": False}  # kind -> has a path


@dataclass(frozen=True)
class ColumnSource:
    """Where one curated column comes from: a record path, an element path, the element's 1-based
    position, the size of an array, or the raw object's lineage."""

    name: str
    kind: str
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    layer: str
    primary_key: tuple[str, ...]
    partition_column: str
    partition_source_field: str
    schema: StructType
    source_kind: str  # record | explode | sql
    columns: tuple[ColumnSource, ...] = ()  # record and explode tables
    array: tuple[str, ...] = ()  # explode tables: record path of the exploded array
    sql: str = ""  # analytics tables
    reads: tuple[str, ...] = ()  # analytics tables: the curated tables the SQL reads

    def column_of(self, kind: str, path: tuple[str, ...] = ()) -> str | None:
        """Name of the column derived from `kind` (and `path`), if the table has one."""
        return next((c.name for c in self.columns if c.kind == kind and c.path == path), None)


@dataclass(frozen=True)
class Contract:
    name: str
    version: int
    primary_key: tuple[str, ...]
    event_time_field: str
    business_date_field: str
    columns: list[dict[str, Any]]
    raw_schema: StructType
    tables: dict[str, Table]
    layout: dict[str, str]

    def table(self, name: str) -> Table:
        if name not in self.tables:
            raise ContractError(f"contract {self.name!r} has no table {name!r} (has {sorted(self.tables)})")
        return self.tables[name]

    def tables_of(self, layer: str) -> list[Table]:
        return [t for t in self.tables.values() if t.layer == layer]

    @property
    def record_table(self) -> Table:
        """The parent curated table: one row per record."""
        return next(t for t in self.tables.values() if t.source_kind == "record")

    @property
    def versions_table(self) -> Table:
        """The job's own index of stored versions, beside the curated tables (`_versions`, Parquet): per
        key its partition (so a version moving the business date removes the old row) and the digits of
        its event time below the microsecond Parquet keeps (so later runs still order versions 1 ns apart)."""
        record = self.record_table
        key = [record.schema[str(record.column_of("record", (k,)))] for k in self.primary_key]
        return Table(
            name=VERSIONS_TABLE,
            layer="index",
            primary_key=tuple(f.name for f in key),
            partition_column=record.partition_column,
            partition_source_field=record.partition_source_field,
            schema=StructType([*key, StructField(EVENT_NANOS, IntegerType(), False)]),
            source_kind="index",
        )

    @property
    def explode_tables(self) -> list[Table]:
        return [t for t in self.tables.values() if t.source_kind == "explode"]

    def path(self, template: str, **values: str) -> str:
        """Formats one of the exported layout templates, e.g. `path('quarantine', job_run_id=...)`."""
        if template not in self.layout:
            raise ContractError(f"contract layout has no template {template!r}")
        return self.layout[template].format(dataset=self.name, **values)

    def parse_raw_key(self, key: str) -> dict[str, str]:
        """Splits a raw object key with the exported pattern (source, dataset, ingest_date, run_id, part)."""
        match = re.search(self.layout["rawObjectPattern"], key)
        if not match:
            raise ContractError(f"not a raw object key: {key!r} (expected {self.layout['rawObject']})")
        source, dataset, ingest_date, run_id, part = match.groups()
        return {"source": source, "dataset": dataset, "ingest_date": ingest_date, "run_id": run_id, "part": part}


def parse_contract(text: str, where: str) -> Contract:
    try:
        doc = json.loads(text)
        if doc.get("format") != FORMAT:
            raise _invalid("contract format", repr(doc.get("format")), f"export the contract with lake-core (format {FORMAT})", where)
        contract = Contract(
            name=doc["name"],
            version=doc["version"],
            primary_key=tuple(doc["primaryKey"]),
            event_time_field=doc["eventTimeField"],
            business_date_field=doc["businessDateField"],
            columns=doc["columns"],
            raw_schema=StructType.fromJson(doc["rawSparkSchema"]),
            tables={name: _table(name, t, where) for name, t in doc["tables"].items()},
            layout=doc["layout"],
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        if isinstance(err, ContractError):
            raise
        raise ContractError(f"invalid contract JSON at {where}: {type(err).__name__}: {err}") from err
    _check(contract, where)
    return contract


def _invalid(what: str, got: object, fix: str, where: str) -> ContractError:
    return ContractError(f"invalid {what} at {where}: got {got}; {fix}")


def _table(name: str, t: dict[str, Any], where: str) -> Table:
    source = t["source"]
    kind = source["kind"]
    common = {
        "name": name,
        "layer": t["layer"],
        "primary_key": tuple(t["primaryKey"]),
        "partition_column": t["partitioning"]["column"],
        "partition_source_field": t["partitioning"]["from"]["field"],
        "schema": StructType.fromJson(t["sparkSchema"]),
        "source_kind": kind,
    }
    if kind == "sql":
        return Table(**common, sql=source["sql"], reads=tuple(source["reads"]))
    if kind not in ("record", "explode"):
        raise _invalid(f"tables.{name}.source.kind", repr(kind), "expected record, explode or sql", where)
    columns = []
    for i, c in enumerate(source["columns"]):
        if c["from"] not in _COLUMN_SOURCES:
            raise _invalid(
                f"tables.{name}.source.columns[{i}].from", repr(c["from"]), f"expected one of {', '.join(_COLUMN_SOURCES)}", where
            )
        columns.append(ColumnSource(c["name"], c["from"], tuple(c["path"]) if _COLUMN_SOURCES[c["from"]] else ()))
    return Table(**common, columns=tuple(columns), array=tuple(source.get("array", ())))


def _check(contract: Contract, where: str) -> None:
    """Cross-field rules the job relies on, so a bad contract fails before any data is read."""
    records = [t.name for t in contract.tables.values() if t.source_kind == "record"]
    if len(records) != 1:
        raise _invalid("tables", f"{len(records)} tables with source.kind record {records}", "expected exactly one", where)
    curated = {t.name for t in contract.tables_of("curated")}
    for table in contract.tables.values():
        at = f"tables.{table.name}"
        if (table.source_kind == "sql") != (table.layer == "analytics"):
            raise _invalid(
                f"{at}.source.kind", f"{table.source_kind!r} for layer {table.layer!r}", "analytics tables, and only they, are sql", where
            )
        if table.source_kind == "sql":
            unknown = [r for r in table.reads if r not in curated]
            if unknown:
                raise _invalid(f"{at}.source.reads", unknown, f"expected curated tables ({', '.join(sorted(curated))})", where)
            continue
        names = [c.name for c in table.columns]
        if names != table.schema.fieldNames():
            raise _invalid(f"{at}.source.columns", names, f"expected the sparkSchema columns in order {table.schema.fieldNames()}", where)
        for c in table.columns:
            if c.kind == "lineage" and c.name not in LINEAGE_NAMES:
                raise _invalid(f"{at} lineage column", repr(c.name), f"expected one of {', '.join(LINEAGE_NAMES)}", where)
            if c.kind in ("element", "position") and table.source_kind != "explode":
                raise _invalid(
                    f"{at} column {c.name!r}", f"from {c.kind!r} in a {table.source_kind} table", "only explode tables have elements", where
                )
            if c.kind in ("record", "count"):
                _resolve(contract.raw_schema, c.path, f"{at} column {c.name!r}", where)
        for key in contract.primary_key:
            if table.column_of("record", (key,)) is None:
                raise _invalid(
                    f"{at}.source.columns", f"no column from record path [{key!r}]", "every curated table carries the primary key", where
                )
        if table.source_kind == "explode":
            array = _resolve(contract.raw_schema, table.array, f"{at}.source.array", where)
            if not isinstance(array, ArrayType) or not isinstance(array.elementType, StructType):
                raise _invalid(
                    f"{at}.source.array", f"{list(table.array)} of type {array.simpleString()}", "expected an array of structs", where
                )
            for c in table.columns:
                if c.kind == "element":
                    _resolve(array.elementType, c.path, f"{at} column {c.name!r}", where)
    record = contract.record_table
    missing = [n for n in LINEAGE_NAMES if n not in {c.name for c in record.columns if c.kind == "lineage"}]
    if missing:
        raise _invalid(
            f"tables.{record.name}.source.columns", f"no lineage column {missing}", "the record table orders versions by them", where
        )
    if record.column_of("record", (contract.event_time_field,)) is None:
        raise _invalid(
            f"tables.{record.name}.source.columns",
            f"no column from record path [{contract.event_time_field!r}]",
            "the record table must carry the event time",
            where,
        )


def _resolve(schema: StructType, path: tuple[str, ...], what: str, where: str) -> DataType:
    """The type at `path` within `schema` (through nested structs)."""
    if not path:
        raise _invalid(f"{what} path", "[]", "expected a field path", where)
    node: DataType = schema
    for i, step in enumerate(path):
        if not isinstance(node, StructType) or step not in node.fieldNames():
            raise _invalid(f"{what} path", list(path), f"{list(path[: i + 1])} is not a field of the raw record", where)
        node = node[step].dataType
    return node
