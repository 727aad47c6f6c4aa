import boto3
import pytest
from moto import mock_aws

from lake_moto.patches import s3_eventbridge_notification


@pytest.fixture
def s3():
    s3_eventbridge_notification.apply()
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_bucket(Bucket="lake")
        client.create_bucket(Bucket="queue-only")
        yield client


def test_returns_the_eventbridge_configuration_it_stored(s3):
    s3.put_bucket_notification_configuration(Bucket="lake", NotificationConfiguration={"EventBridgeConfiguration": {}})
    assert s3.get_bucket_notification_configuration(Bucket="lake")["EventBridgeConfiguration"] == {}


def test_leaves_it_out_when_not_set_and_keeps_the_other_rules(s3):
    sqs = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    sqs.create_queue(QueueName="q")
    rule = {"Id": "new", "QueueArn": "arn:aws:sqs:us-east-1:123456789012:q", "Events": ["s3:ObjectCreated:*"]}
    s3.put_bucket_notification_configuration(Bucket="queue-only", NotificationConfiguration={"QueueConfigurations": [rule]})
    config = s3.get_bucket_notification_configuration(Bucket="queue-only")
    assert "EventBridgeConfiguration" not in config
    assert config["QueueConfigurations"] == [rule]
    assert "EventBridgeConfiguration" not in s3.get_bucket_notification_configuration(Bucket="lake")
