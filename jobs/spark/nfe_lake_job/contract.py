"""The dataset contract exported by lake-core (jobs/spark/contracts/<dataset>.json).

Everything typed here (schemas, keys, partitioning, S3 layout) comes from that JSON: the job never
retypes a column by hand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pyspark.sql.types import StructType


class ContractError(ValueError):
    """The contract JSON is missing something the job needs."""


@dataclass(frozen=True)
class Table:
    name: str
    layer: str
    primary_key: tuple[str, ...]
    partition_column: str
    partition_source_field: str
    schema: StructType


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
        tables = {
            name: Table(
                name=name,
                layer=t["layer"],
                primary_key=tuple(t["primaryKey"]),
                partition_column=t["partitioning"]["column"],
                partition_source_field=t["partitioning"]["from"]["field"],
                schema=StructType.fromJson(t["sparkSchema"]),
            )
            for name, t in doc["tables"].items()
        }
        return Contract(
            name=doc["name"],
            version=doc["version"],
            primary_key=tuple(doc["primaryKey"]),
            event_time_field=doc["eventTimeField"],
            business_date_field=doc["businessDateField"],
            columns=doc["columns"],
            raw_schema=StructType.fromJson(doc["rawSparkSchema"]),
            tables=tables,
            layout=doc["layout"],
        )
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ContractError(f"invalid contract JSON at {where}: {type(err).__name__}: {err}") from err
