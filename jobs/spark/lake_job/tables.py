"""Where a table lives and how its stored partitions are read back (Parquet, or Delta for curated tables)."""

from __future__ import annotations

from datetime import date

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
    """The table's columns plus its partition column as the job handles it: a `yyyy-MM-dd` string, the
    Hive partition value of a Parquet table (a Delta table stores a date: see `stored_partition_values`)."""
    return StructType([*table.schema.fields, StructField(table.partition_column, StringType(), False)])


def stored_partition_values(config: JobConfig, table: Table, partitions: list[str]) -> list[str] | list[date]:
    """`partitions` as the stored partition column holds them: Delta tables keep the business date a
    date (Glue declares it `date`, and Trino's Delta reader takes the type from the Delta log)."""
    return [date.fromisoformat(p) for p in partitions] if is_delta(config, table) else partitions


def read_partitions(
    spark: SparkSession, contract: Contract, config: JobConfig, table: Table, root: str, partitions: list[str]
) -> DataFrame:
    """The stored rows of `partitions`, typed with the contract schema; empty when the table does not exist yet."""
    uri = table_uri(contract, root, table)
    schema = stored_schema(table)
    if not fs.exists(spark, uri):
        return spark.createDataFrame([], schema)
    part = table.partition_column
    frame = spark.read.format("delta").load(uri) if is_delta(config, table) else spark.read.schema(schema).parquet(uri)
    frame = frame.where(F.col(part).isin(stored_partition_values(config, table, partitions)))
    return frame.withColumn(part, F.col(part).cast("string")).select(*schema.fieldNames())


def read_all(spark: SparkSession, contract: Contract, table: Table, root: str) -> DataFrame:
    """Every stored row of a Parquet table; empty when it does not exist yet."""
    uri = table_uri(contract, root, table)
    schema = stored_schema(table)
    if not fs.exists(spark, uri):
        return spark.createDataFrame([], schema)
    return spark.read.schema(schema).parquet(uri).select(*schema.fieldNames())
