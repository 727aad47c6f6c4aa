import io
import json
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from lake_moto.patches import iam_authorize_known_resources

REGION = "us-east-1"
ACCOUNT = "123456789012"


def _client(service, key=None):
    key = key or {"AccessKeyId": "testing", "SecretAccessKey": "testing"}
    return boto3.client(service, region_name=REGION, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def _user_with(statements):
    iam = _client("iam")
    iam.create_user(UserName="worker")
    iam.put_user_policy(UserName="worker", PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    return iam.create_access_key(UserName="worker")["AccessKey"]


@mock_aws
@set_initial_no_auth_action_count(5)
def test_a_scoped_secrets_manager_grant_passes_moto_and_sqs_stays_enforced():
    iam_authorize_known_resources.apply()
    secret_arn = _client("secretsmanager").create_secret(Name="api-key", SecretString="s")["ARN"]
    queue_url = _client("sqs").create_queue(QueueName="work")["QueueUrl"]
    key = _user_with(
        [
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret_arn,
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "lake"}},
            }
        ]
    )
    # without the patch moto compares the secret's ARN with `*` and reads the condition as a deny
    assert _client("secretsmanager", key).get_secret_value(SecretId="api-key")["SecretString"] == "s"
    with pytest.raises(ClientError) as denied:
        _client("sqs", key).send_message(QueueUrl=queue_url, MessageBody="m")
    # moto answers SQS's JSON protocol with its query-protocol XML error: the code is in the message
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "<Code>AccessDenied</Code>" in denied.value.response["Error"]["Message"]


@mock_aws
@set_initial_no_auth_action_count(0)
def test_an_unknown_access_key_is_still_refused():
    iam_authorize_known_resources.apply()
    with pytest.raises(ClientError) as refused:
        _client("secretsmanager", {"AccessKeyId": "AKIAUNKNOWN000000000", "SecretAccessKey": "x"}).list_secrets()
    assert "<Code>InvalidClientTokenId</Code>" in refused.value.response["Error"]["Message"]


@mock_aws
@set_initial_no_auth_action_count(4)
def test_assume_role_of_a_service_role_is_authorized_by_the_callers_identity_policy():
    iam_authorize_known_resources.apply()
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}],
    }
    role_arn = _client("iam").create_role(RoleName="worker-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    key = _user_with([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}])
    # without the patch moto fails with HTTP 500 (TypeError in its trust-policy check)
    assert _client("sts", key).assume_role(RoleArn=role_arn, RoleSessionName="session")["Credentials"]["AccessKeyId"].startswith("ASIA")
    with pytest.raises(ClientError) as denied:
        _client("sts", key).assume_role(RoleArn=role_arn.replace("worker-role", "other"), RoleSessionName="session")
    assert "AccessDenied" in str(denied.value)


@mock_aws
@set_initial_no_auth_action_count(4)
def test_lambda_get_function_passes_for_a_known_key():
    iam_authorize_known_resources.apply()
    role_arn = _client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    key = _user_with([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("index.js", "exports.handler = async () => ({});")
    lam = _client("lambda", key)
    lam.create_function(FunctionName="fn", Runtime="nodejs20.x", Role=role_arn, Handler="index.handler", Code={"ZipFile": code.getvalue()})
    # without the patch: SignatureDoesNotMatch
    assert lam.get_function(FunctionName="fn")["Configuration"]["FunctionName"] == "fn"
    with pytest.raises(ClientError) as refused:
        _client("lambda", {"AccessKeyId": "AKIAUNKNOWN000000000", "SecretAccessKey": "x"}).get_function(FunctionName="fn")
    assert "InvalidClientTokenId" in str(refused.value)
