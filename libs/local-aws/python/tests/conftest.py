import boto3
import pytest
from moto import mock_aws


@pytest.fixture
def glue_table():
    """In-process moto Glue with database `db` and table `t` (columns a, b; partitions dt=2026-01-01 and 2026-01-02).
    Apply the patch under test before using it."""
    with mock_aws():
        client = boto3.client("glue", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_database(DatabaseInput={"Name": "db"})
        columns = [{"Name": "a", "Type": "bigint"}, {"Name": "b", "Type": "bigint"}]
        client.create_table(
            DatabaseName="db",
            TableInput={
                "Name": "t",
                "PartitionKeys": [{"Name": "dt", "Type": "date"}],
                "StorageDescriptor": {"Columns": columns, "Location": "s3://b/t/"},
            },
        )
        for dt in ("2026-01-01", "2026-01-02"):
            client.create_partition(
                DatabaseName="db", TableName="t", PartitionInput={"Values": [dt], "StorageDescriptor": {"Location": f"s3://b/t/dt={dt}/"}}
            )
        yield client
