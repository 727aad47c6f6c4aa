import boto3
from moto import mock_aws

from lake_moto.patches import sqs_redrive_policy_json


def test_returns_the_redrive_policy_as_compact_json():
    sqs_redrive_policy_json.apply()
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        sqs.create_queue(QueueName="dlq")
        policy = '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":5}'
        url = sqs.create_queue(QueueName="work", Attributes={"RedrivePolicy": policy})["QueueUrl"]
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]["RedrivePolicy"] == policy
        plain = sqs.create_queue(QueueName="plain")["QueueUrl"]
        assert "RedrivePolicy" not in sqs.get_queue_attributes(QueueUrl=plain, AttributeNames=["All"])["Attributes"]
