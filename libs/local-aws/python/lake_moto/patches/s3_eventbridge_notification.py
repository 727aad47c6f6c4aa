"""S3 GetBucketNotificationConfiguration leaves out EventBridgeConfiguration (moto 5.2.1 stores it, never returns it).

Terraform then reads `eventbridge = false` back from a bucket it set to true, so every plan of the lake
stack shows a change. The response below is moto's own plus the EventBridgeConfiguration element.
"""

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.s3.responses import S3Response


def _rule(item: Any, arn_key: str) -> dict[str, Any]:
    config: dict[str, Any] = {"Id": item.id, arn_key: item.arn, "Events": item.events}
    if item.filters:
        config["Filter"] = {"Key": {"FilterRules": item.filters["S3Key"]["FilterRule"]}}
    return config


def get_bucket_notification(self: S3Response) -> Any:
    notification = self.backend.get_bucket_notification_configuration(self.bucket_name)
    if not notification:
        return self.serialized(EmptyResult())
    result: dict[str, Any] = {
        "TopicConfigurations": [_rule(t, "TopicArn") for t in notification.topic],
        "QueueConfigurations": [_rule(q, "QueueArn") for q in notification.queue],
        "LambdaFunctionConfigurations": [_rule(f, "LambdaFunctionArn") for f in notification.cloud_function],
    }
    if notification.event_bridge is not None:
        result["EventBridgeConfiguration"] = {}
    self.data["Action"] = "GetBucketNotificationConfiguration"
    return self.serialized(ActionResult(result))


def apply() -> None:
    S3Response.get_bucket_notification = get_bucket_notification
