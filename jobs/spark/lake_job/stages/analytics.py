"""analytics: each analytics table's `source.sql` (Spark SQL) over temporary views named after the
curated tables it reads, each holding the complete touched partitions (the rows just written merged
with what was stored). The SQL outputs exactly the table's declared columns, with the declared types
(in any order), plus the partition column as a `yyyy-MM-dd` string, for those partitions only.
`check` proves that on empty views before any data is read; a mismatch fails the run naming the table."""

from __future__ import annotations

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from ..context import JobContext, Written
from ..contract import Contract, Table
from ..errors import ContractError
from ..tables import read_partitions, stored_schema
from .write import write_table


def check(ctx: JobContext) -> None:
    check_contract(ctx.spark, ctx.contract)


def check_contract(spark: SparkSession, contract: Contract) -> None:
    """Resolves every analytics SQL against empty views of the curated tables and compares its output."""
    for table in contract.tables_of("analytics"):
        views = {name: spark.createDataFrame([], stored_schema(contract.table(name))) for name in table.reads}
        _compare(table, _query(spark, contract, table, views).schema)


def run(ctx: JobContext) -> None:
    if not ctx.touched:
        return
    root = ctx.config.analytics_root
    for table in ctx.contract.tables_of("analytics"):
        views = {
            name: read_partitions(ctx.spark, ctx.contract, ctx.config, ctx.contract.table(name), ctx.config.curated_root, ctx.touched)
            for name in table.reads
        }
        # write_table counts the rows per partition, then writes: cached, the SQL runs once (its result is small)
        frame = _query(ctx.spark, ctx.contract, table, views).select(*table.schema.fieldNames(), table.partition_column).persist()
        try:
            ctx.written[table.name] = Written(root, write_table(ctx.config, ctx.contract, table, root, frame, ctx.touched))
        finally:
            frame.unpersist()


def _query(spark: SparkSession, contract: Contract, table: Table, views: dict[str, DataFrame]) -> DataFrame:
    for name, frame in views.items():
        frame.createOrReplaceTempView(name)
    try:
        return spark.sql(table.sql)  # analysed here: the views can go once it returns
    except AnalysisException as err:
        first_line = str(err).strip().splitlines()[0]
        raise ContractError(
            f"invalid SQL of analytics table {table.name} (contract {contract.name}): got {first_line}; "
            f"the SQL may read only the curated tables it lists in source.reads ({', '.join(table.reads)})"
        ) from err
    finally:
        for name in views:
            spark.catalog.dropTempView(name)


def _compare(table: Table, got: StructType) -> None:
    # simpleString ignores nullability: the SQL's inferred nullability is not part of the check
    expected = {f.name: f.dataType.simpleString() for f in stored_schema(table).fields}
    names = got.fieldNames()
    output = {f.name: f.dataType.simpleString() for f in got.fields}
    problems = [f"duplicate column {n}" for n in sorted({n for n in names if names.count(n) > 1})]
    problems += [f"missing column {n} {t}" for n, t in expected.items() if n not in output]
    problems += [f"unexpected column {n} {t}" for n, t in output.items() if n not in expected]
    problems += [f"column {n} is {t}, declared {expected[n]}" for n, t in output.items() if n in expected and t != expected[n]]
    if problems:
        raise ContractError(
            f"invalid SQL output of analytics table {table.name}: got {'; '.join(problems)}; "
            f"select exactly the declared columns plus {table.partition_column}, with CASTs to the declared types"
        )
