"""Where a table lives and how its stored partitions are read back (Parquet, or Delta for curated tables)."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from . import fs
from .config import JobConfig
from .contract import Contract, Table


def table_uri(contract: Contract, root: str, table: Table) -> str:
    return f"{root}/{contract.path('tablePrefix', table=table.name)}".rstrip("/")


def is_delta(config: JobConfig, table: Table) -> bool:
    return config.table_format == "delta" and table.layer == "curated"


def stored_schema(table: Table) -> StructType:
    """The table's columns plus its partition column (a `yyyy-MM-dd` string, as in Glue)."""
    return StructType([*table.schema.fields, StructField(table.partition_column, StringType(), False)])


def read_partitions(
    spark: SparkSession, contract: Contract, config: JobConfig, table: Table, root: str, partitions: list[str]
) -> DataFrame:
    """The stored rows of `partitions`, typed with the contract schema; empty when the table does not exist yet."""
    uri = table_uri(contract, root, table)
    schema = stored_schema(table)
    if not fs.exists(spark, uri):
        return spark.createDataFrame([], schema)
    frame = spark.read.format("delta").load(uri) if is_delta(config, table) else spark.read.schema(schema).parquet(uri)
    return frame.where(F.col(table.partition_column).isin(partitions)).select(*schema.fieldNames())


def read_all(spark: SparkSession, contract: Contract, table: Table, root: str) -> DataFrame:
    """Every stored row of a Parquet table; empty when it does not exist yet."""
    uri = table_uri(contract, root, table)
    schema = stored_schema(table)
    if not fs.exists(spark, uri):
        return spark.createDataFrame([], schema)
    return spark.read.schema(schema).parquet(uri).select(*schema.fieldNames())
