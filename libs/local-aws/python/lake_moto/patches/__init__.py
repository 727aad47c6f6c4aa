"""The registry of moto patches: one module per missing operation, each with an `apply()` that registers it.

A patch adds what upstream moto would: a backend method on the service's `*Backend` class and a response
method on its `*Response` class (moto dispatches an action to the response method of the same snake_case
name). Applying a patch twice is harmless. Drop a patch when the pinned moto implements the operation.
"""

from types import ModuleType

from lake_moto.patches import (
    athena_delete_named_query,
    glue_column_statistics,
    glue_get_partitions_empty_expression,
    iam_authorize_known_resources,
    lambda_function_settings,
    s3_delete_objects_per_key,
    s3_eventbridge_notification,
    sqs_redrive_policy_json,
)

PATCHES: tuple[ModuleType, ...] = (
    athena_delete_named_query,
    glue_column_statistics,
    glue_get_partitions_empty_expression,
    iam_authorize_known_resources,
    lambda_function_settings,
    s3_delete_objects_per_key,
    s3_eventbridge_notification,
    sqs_redrive_policy_json,
)


def apply_all() -> None:
    for patch in PATCHES:
        patch.apply()
