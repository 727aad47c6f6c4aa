import io
import zipfile

import boto3
import pytest
from moto import mock_aws

from lake_moto.patches import lambda_function_settings

CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DLQ = {"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}
LOGGING = {"LogFormat": "JSON", "LogGroup": "/aws/lambda/f"}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("index.js", "exports.handler = async () => 1;")
    return buffer.getvalue()


@pytest.fixture
def awslambda():
    lambda_function_settings.apply()
    with mock_aws():
        role = boto3.client("iam", **CREDENTIALS).create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        client = boto3.client("lambda", **CREDENTIALS)
        common = {"Runtime": "nodejs20.x", "Role": role, "Handler": "index.handler", "Code": {"ZipFile": _zip()}}
        client.create_function(FunctionName="f", KMSKeyArn=KEY, DeadLetterConfig=DLQ, LoggingConfig=LOGGING, **common)
        client.create_function(FunctionName="plain", **common)
        yield client


def test_returns_the_kms_key_dead_letter_queue_and_logging_it_was_created_with(awslambda):
    config = awslambda.get_function(FunctionName="f")["Configuration"]
    assert (config["KMSKeyArn"], config["DeadLetterConfig"], config["LoggingConfig"]) == (KEY, DLQ, LOGGING)
    assert awslambda.get_function_configuration(FunctionName="f")["DeadLetterConfig"] == DLQ


def test_keeps_updates_and_clears_a_removed_dead_letter_queue(awslambda):
    awslambda.update_function_configuration(FunctionName="f", LoggingConfig={"LogFormat": "Text", "LogGroup": "/custom"})
    assert awslambda.get_function_configuration(FunctionName="f")["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/custom"}
    awslambda.update_function_configuration(FunctionName="f", DeadLetterConfig={})
    config = awslambda.get_function_configuration(FunctionName="f")
    assert "DeadLetterConfig" not in config
    assert config["KMSKeyArn"] == KEY


def test_a_function_without_them_returns_none(awslambda):
    config = awslambda.get_function(FunctionName="plain")["Configuration"]
    assert not {"KMSKeyArn", "DeadLetterConfig", "LoggingConfig"} & config.keys()
