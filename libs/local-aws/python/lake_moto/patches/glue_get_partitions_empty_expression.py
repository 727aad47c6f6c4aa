"""Glue GetPartitions with an empty `Expression` (moto 5.2.1 answers 400 "Unsupported expression ''").

AWS treats an empty expression as no filter. Trino's Glue metastore sends one when it lists every partition
of a table (a partitioned table without projection, e.g. `SHOW PARTITIONS` or a scan with no partition filter).
"""

from moto.glue.models import GlueBackend

_get_partitions = GlueBackend.get_partitions


def get_partitions(self: GlueBackend, database_name: str, table_name: str, expression: str | None) -> list:
    return _get_partitions(self, database_name, table_name, expression if expression and expression.strip() else None)


def apply() -> None:
    GlueBackend.get_partitions = get_partitions
