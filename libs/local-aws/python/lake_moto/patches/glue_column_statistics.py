"""Glue column statistics of tables and partitions: Update, Get and Delete (moto 5.2.1 answers HTTP 500).

Trino's Glue metastore writes a table's column statistics when it creates or inserts into one, even with
statistics collection off (it deletes those of every column), so without them every CREATE TABLE and INSERT
fails. Statistics are kept per column and replaced by a newer update; Get returns those that exist; deleting
statistics a column does not have succeeds (Trino relies on that against AWS); an unknown table or
partition is an EntityNotFoundException.
"""

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.glue.models import GlueBackend
from moto.glue.responses import GlueResponse

Key = tuple[str, str, tuple[str, ...]]


def _store(backend: GlueBackend, database: str, table: str, partition: list[str] | None) -> dict[str, dict[str, Any]]:
    backend.get_table(database, table)  # raises for an unknown database or table
    if partition is not None:
        backend.get_partition(database, table, partition)
    stats: dict[Key, dict[str, dict[str, Any]]] = backend.__dict__.setdefault("lake_column_statistics", {})
    return stats.setdefault((database, table, tuple(partition or ())), {})


def _update(self: GlueResponse, partition: list[str] | None) -> ActionResult:
    store = _store(self.glue_backend, self.parameters["DatabaseName"], self.parameters["TableName"], partition)
    for column in self.parameters.get("ColumnStatisticsList", []):
        store[column["ColumnName"]] = column
    return ActionResult({"Errors": []})


def _get(self: GlueResponse, partition: list[str] | None) -> ActionResult:
    store = _store(self.glue_backend, self.parameters["DatabaseName"], self.parameters["TableName"], partition)
    found = [store[name] for name in self.parameters.get("ColumnNames", []) if name in store]
    return ActionResult({"ColumnStatisticsList": found, "Errors": []})


def _delete(self: GlueResponse, partition: list[str] | None) -> EmptyResult:
    store = _store(self.glue_backend, self.parameters["DatabaseName"], self.parameters["TableName"], partition)
    store.pop(self.parameters["ColumnName"], None)
    return EmptyResult()


def apply() -> None:
    GlueResponse.update_column_statistics_for_table = lambda self: _update(self, None)
    GlueResponse.get_column_statistics_for_table = lambda self: _get(self, None)
    GlueResponse.delete_column_statistics_for_table = lambda self: _delete(self, None)
    GlueResponse.update_column_statistics_for_partition = lambda self: _update(self, self.parameters["PartitionValues"])
    GlueResponse.get_column_statistics_for_partition = lambda self: _get(self, self.parameters["PartitionValues"])
    GlueResponse.delete_column_statistics_for_partition = lambda self: _delete(self, self.parameters["PartitionValues"])
