import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from lake_moto.patches import athena_delete_named_query


@pytest.fixture
def athena():
    athena_delete_named_query.apply()
    with mock_aws():
        client = boto3.client("athena", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_work_group(Name="lake", Configuration={})
        yield client


def test_deletes_the_named_query_and_keeps_the_others(athena):
    ids = [athena.create_named_query(Name=n, Database="db", QueryString="SELECT 1", WorkGroup="lake")["NamedQueryId"] for n in ("a", "b")]
    athena.delete_named_query(NamedQueryId=ids[0])
    assert athena.list_named_queries(WorkGroup="lake")["NamedQueryIds"] == [ids[1]]


def test_an_unknown_id_is_an_invalid_request(athena):
    with pytest.raises(ClientError) as e:
        athena.delete_named_query(NamedQueryId="no-such-id")
    assert e.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "NamedQuery no-such-id does not exist" in e.value.response["Error"]["Message"]
