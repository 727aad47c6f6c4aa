"""SQS returns RedrivePolicy as `json.dumps` with spaces (moto 5.2.1); AWS returns the compact JSON.

The provider stores the compact form, so with moto's every plan shows a "whitespace changes" update of each
queue with a redrive policy. The patch returns it as AWS does.
"""

import json
from typing import Any

from moto.sqs.models import Queue

_moto_attributes = Queue.attributes.fget


def attributes(self: Queue) -> dict[str, Any]:
    result = _moto_attributes(self)
    if self.redrive_policy:
        result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
    return result


def apply() -> None:
    Queue.attributes = property(attributes)
