from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError

from lake_moto.patches import glue_column_statistics

ANALYZED = datetime(2026, 1, 2, tzinfo=timezone.utc)


def stats(column, nulls):
    return {
        "ColumnName": column,
        "ColumnType": "bigint",
        "AnalyzedTime": ANALYZED,
        "StatisticsData": {"Type": "LONG", "LongColumnStatisticsData": {"NumberOfNulls": nulls, "NumberOfDistinctValues": 3}},
    }


@pytest.fixture
def glue(glue_table):
    glue_column_statistics.apply()
    return glue_table


def test_table_statistics_are_stored_replaced_read_and_deleted(glue):
    assert glue.update_column_statistics_for_table(DatabaseName="db", TableName="t", ColumnStatisticsList=[stats("a", 1)])["Errors"] == []
    glue.update_column_statistics_for_table(DatabaseName="db", TableName="t", ColumnStatisticsList=[stats("a", 2), stats("b", 0)])
    found = glue.get_column_statistics_for_table(DatabaseName="db", TableName="t", ColumnNames=["a", "c"])["ColumnStatisticsList"]
    assert [(s["ColumnName"], s["StatisticsData"]["LongColumnStatisticsData"]["NumberOfNulls"]) for s in found] == [("a", 2)]
    glue.delete_column_statistics_for_table(DatabaseName="db", TableName="t", ColumnName="a")
    assert glue.get_column_statistics_for_table(DatabaseName="db", TableName="t", ColumnNames=["a"])["ColumnStatisticsList"] == []


def test_deleting_statistics_a_column_does_not_have_succeeds(glue):
    glue.delete_column_statistics_for_table(DatabaseName="db", TableName="t", ColumnName="a")


def test_an_empty_update_is_accepted(glue):
    assert glue.update_column_statistics_for_table(DatabaseName="db", TableName="t", ColumnStatisticsList=[])["Errors"] == []


def test_partition_statistics_are_kept_apart_from_the_table(glue):
    glue.update_column_statistics_for_partition(
        DatabaseName="db", TableName="t", PartitionValues=["2026-01-01"], ColumnStatisticsList=[stats("a", 5)]
    )
    part = glue.get_column_statistics_for_partition(DatabaseName="db", TableName="t", PartitionValues=["2026-01-01"], ColumnNames=["a"])
    assert [s["ColumnName"] for s in part["ColumnStatisticsList"]] == ["a"]
    assert glue.get_column_statistics_for_table(DatabaseName="db", TableName="t", ColumnNames=["a"])["ColumnStatisticsList"] == []
    glue.delete_column_statistics_for_partition(DatabaseName="db", TableName="t", PartitionValues=["2026-01-01"], ColumnName="a")


@pytest.mark.parametrize(
    "call",
    [
        lambda g: g.get_column_statistics_for_table(DatabaseName="db", TableName="nope", ColumnNames=["a"]),
        lambda g: g.get_column_statistics_for_partition(
            DatabaseName="db", TableName="t", PartitionValues=["2030-01-01"], ColumnNames=["a"]
        ),
    ],
)
def test_unknown_tables_and_partitions_are_entity_not_found(glue, call):
    with pytest.raises(ClientError) as e:
        call(glue)
    assert e.value.response["Error"]["Code"] == "EntityNotFoundException"
