"""catalog: with `--catalog-mode register`, adds the written partitions to Glue (`BatchCreatePartition`,
existing ones kept) for tables without partition projection; Delta tables are not partition-registered.
The default `projection` mode does nothing: the Glue tables project their partitions."""

from __future__ import annotations

from ..config import JobConfig
from ..context import JobContext
from ..contract import Contract
from ..errors import JobError
from ..tables import is_delta, table_uri


def run(ctx: JobContext) -> None:
    if ctx.config.catalog_mode != "register":
        return
    plain = {
        name: (w.root, sorted(w.rows_per_partition))
        for name, w in ctx.written.items()
        if not is_delta(ctx.config, ctx.contract.table(name))
    }
    ctx.report.catalog = register_partitions(ctx.contract, ctx.config, plain)


def register_partitions(contract: Contract, config: JobConfig, written: dict[str, tuple[str, list[str]]]) -> dict[str, int]:
    """Adds the partitions to Glue (boto3; on EMR the instance profile's credentials, locally
    AWS_ENDPOINT_URL to moto); returns how many were new per table."""
    import boto3

    glue = boto3.client("glue")
    added = {}
    for name, (root, partitions) in written.items():
        table = contract.table(name)
        try:
            descriptor = glue.get_table(DatabaseName=config.glue_database, Name=name)["Table"]["StorageDescriptor"]
        except glue.exceptions.EntityNotFoundException as err:
            raise JobError(f"catalog registration: table {config.glue_database}.{name} does not exist in Glue") from err
        inputs = [
            {
                "Values": [value],
                "StorageDescriptor": {**descriptor, "Location": f"{table_uri(contract, root, table)}/{table.partition_column}={value}/"},
            }
            for value in partitions
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
