"""Under IAM enforcement, moto 5.2.1 authorizes S3 `DeleteObjects` (POST `?delete`) as `s3:DeleteObject` on the
bucket's ARN and, when that is refused, answers `AccessDenied` for every key. AWS authorizes each key as
`s3:DeleteObject` on the object's ARN, which is how a least-privilege policy grants it (`arn:aws:s3:::bucket/*` or
a prefix). Hadoop's s3a deletes Spark's staging files and directory markers with `DeleteObjects`, so the Spark job
under the EMR instance role was refused every bulk delete its policy allows.

The patch authorizes each key against the caller's identity policies (moto's own check, with the object's ARN)
and, as moto does, the bucket policy's explicit deny; refused keys come back as `AccessDenied` errors in the
200 answer, the others are deleted, as on AWS.
"""

from typing import Any

import xmltodict
from moto.core.responses import ActionResult
from moto.iam.access_control import PermissionResult
from moto.s3.exceptions import BucketAccessDeniedError, MalformedXML, S3AccessDeniedError
from moto.s3.responses import S3Response


def _key_allowed(response: Any, bucket: Any, bucket_name: str, key: str) -> bool:
    try:
        response._authenticate_and_authorize_s3_action(bucket_name=bucket_name, key_name=key)
    except (BucketAccessDeniedError, S3AccessDeniedError):
        return False
    return bucket.get_permission("s3:DeleteObject", f"arn:aws:s3:::{bucket_name}/{key}") != PermissionResult.DENIED


def _bucket_response_delete_keys(self: Any, bucket_name: str, authenticated: bool = True) -> Any:
    # `authenticated` is moto's bucket-ARN verdict, which AWS does not make: each key is authorized below
    body_dict = xmltodict.parse(self.body, strip_whitespace=False)
    bypass_retention = self.headers.get("x-amz-bypass-governance-retention", "").lower() == "true"
    objects = body_dict["Delete"].get("Object", [])
    if not isinstance(objects, list):
        objects = [objects]
    if not objects:
        raise MalformedXML()
    self.data["Action"] = "DeleteObject"
    bucket = self.backend.get_bucket(bucket_name)
    allowed = [o for o in objects if _key_allowed(self, bucket, bucket_name, o["Key"])]
    errors = [(o["Key"], "AccessDenied", "Access Denied") for o in objects if o not in allowed]
    deleted, locked = self.backend.delete_objects(bucket_name, allowed, bypass_retention)
    errors += [(k, "AccessDenied", "Access Denied because object protected by object lock.") for k in locked]
    self.data["Action"] = "DeleteObjects"
    return self.serialized(
        ActionResult(
            {
                "Deleted": [
                    {"Key": k, "VersionId": v or None, "DeleteMarkerVersionId": dv or None, "DeleteMarker": True if dv else None}
                    for k, v, dv in deleted
                ],
                "Errors": [{"Key": k, "Code": c, "Message": m} for k, c, m in errors],
            }
        )
    )


def apply() -> None:
    S3Response._bucket_response_delete_keys = _bucket_response_delete_keys
