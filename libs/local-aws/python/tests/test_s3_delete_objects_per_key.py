import json

import boto3
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from lake_moto.patches import iam_authorize_known_resources, s3_delete_objects_per_key

REGION = "us-east-1"


def _client(service, key=None):
    key = key or {"AccessKeyId": "testing", "SecretAccessKey": "testing"}
    return boto3.client(service, region_name=REGION, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


@mock_aws
@set_initial_no_auth_action_count(7)
def test_delete_objects_is_authorized_per_key_against_the_objects_arn():
    iam_authorize_known_resources.apply()
    s3_delete_objects_per_key.apply()
    admin = _client("s3")
    admin.create_bucket(Bucket="lake")
    for key in ("data/a", "data/b", "other/c"):
        admin.put_object(Bucket="lake", Key=key, Body=b"x")
    iam = _client("iam")
    iam.create_user(UserName="spark")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::lake/data/*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::lake"},
        ],
    }
    iam.put_user_policy(UserName="spark", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="spark")["AccessKey"]

    spark = _client("s3", key)
    # moto alone authorizes the request against arn:aws:s3:::lake and refuses every key
    out = spark.delete_objects(Bucket="lake", Delete={"Objects": [{"Key": k} for k in ("data/a", "data/b", "other/c")]})

    assert sorted(d["Key"] for d in out.get("Deleted", [])) == ["data/a", "data/b"]
    assert [(e["Key"], e["Code"]) for e in out["Errors"]] == [("other/c", "AccessDenied")]
    assert [o["Key"] for o in spark.list_objects_v2(Bucket="lake")["Contents"]] == ["other/c"]
