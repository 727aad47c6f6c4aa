import boto3
import pytest
from moto import mock_aws

from lake_moto.patches import glue_get_partitions_empty_expression


@pytest.fixture
def glue():
    glue_get_partitions_empty_expression.apply()
    with mock_aws():
        client = boto3.client("glue", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_database(DatabaseInput={"Name": "db"})
        client.create_table(
            DatabaseName="db",
            TableInput={"Name": "t", "PartitionKeys": [{"Name": "dt", "Type": "date"}], "StorageDescriptor": {"Location": "s3://b/t/"}},
        )
        for dt in ("2026-01-01", "2026-01-02"):
            client.create_partition(
                DatabaseName="db", TableName="t", PartitionInput={"Values": [dt], "StorageDescriptor": {"Location": f"s3://b/t/dt={dt}/"}}
            )
        yield client


def values(response):
    return sorted(p["Values"][0] for p in response["Partitions"])


@pytest.mark.parametrize("expression", ["", "  "])
def test_an_empty_expression_lists_every_partition(glue, expression):
    assert values(glue.get_partitions(DatabaseName="db", TableName="t", Expression=expression)) == ["2026-01-01", "2026-01-02"]


def test_a_real_expression_still_filters(glue):
    assert values(glue.get_partitions(DatabaseName="db", TableName="t", Expression="dt = '2026-01-02'")) == ["2026-01-02"]
