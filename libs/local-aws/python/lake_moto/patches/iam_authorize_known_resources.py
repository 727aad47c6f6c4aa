"""Under IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT), moto 5.2.1 authorizes S3 against the object's or
bucket's ARN, SQS against the queue's and IAM against the role's, but every other service against resource
`*` (`BaseResponse.call_action`), and it reads any condition of an identity policy statement without request
context as a deny (`IAMPolicyStatement._check_conditions`). A least-privilege policy (a secret's ARN, an EMR
cluster ARN with a tag condition) is then refused where AWS allows it.

The patch keeps authentication (a known access key or STS session, a valid signature) and authorization for
the services whose resource moto names (S3, SQS) and for STS and IAM; the others
(Secrets Manager, SSM, KMS, Glue, EMR, ...) pass moto unauthorized: a wrong grant there is not caught
locally.

Those other services keep the known-key check but skip the signature check: moto recomputes the signature of
a REST GET over a body it builds from the path parameters, so Lambda `GetFunction` and Scheduler `GetSchedule`
(which Terraform calls after creating one) fail with SignatureDoesNotMatch even for the admin. S3 too checks
the key, not the signature: moto's recomputation fails for keys with `=` (`ingest_date=.../run=...`) and
prefixed listings; S3 stays authorized.

AssumeRole is authorized by the caller's identity policy alone: moto's trust-policy check fails with a
TypeError (HTTP 500) on a `Service` principal, which every lake role has, and reads a statement naming
another principal as a deny. The harness assumes the workloads' roles with the admin; the trust policies
stay as AWS needs them (Lambda, EMR, EC2 service principals).
"""

from typing import Any

from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam.access_control import IAMRequest, S3IAMRequest

AUTHORIZED_SERVICES = frozenset({"sqs", "sts", "iam"})


class KnownResourceIAMRequest(IAMRequest):
    def check_signature(self) -> None:
        if self._service in AUTHORIZED_SERVICES:
            super().check_signature()

    def check_action_permitted(self, resource: str) -> None:
        if self._service in AUTHORIZED_SERVICES:
            super().check_action_permitted(resource)

    def _check_role_trust_relationship(self, role_arn: str) -> bool:
        return True


class KeyCheckedS3IAMRequest(S3IAMRequest):
    def check_signature(self) -> None:
        pass


def _authenticate_and_authorize_s3_action(self: Any, bucket_name: str | None = None, key_name: str | None = None) -> None:
    arn = f"{bucket_name or '*'}/{key_name}" if key_name else (bucket_name or "*")
    self._authenticate_and_authorize_action(KeyCheckedS3IAMRequest, f"arn:aws:s3:::{arn}")


def _authenticate_and_authorize_normal_action(self: Any, resource: str = "*") -> None:
    self._authenticate_and_authorize_action(KnownResourceIAMRequest, resource)


def apply() -> None:
    ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = _authenticate_and_authorize_normal_action
    ActionAuthenticatorMixin._authenticate_and_authorize_s3_action = _authenticate_and_authorize_s3_action
