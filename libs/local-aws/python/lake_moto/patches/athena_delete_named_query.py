"""Athena DeleteNamedQuery (moto 5.2.1 answers HTTP 500: not implemented).

Terraform destroys `aws_athena_named_query` with it, so without it a destroy of the query stack fails.
Like AWS, deleting an unknown id is an InvalidRequestException.
"""

import json

from moto.athena.models import AthenaBackend
from moto.athena.responses import AthenaResponse
from moto.core.exceptions import JsonRESTError


def delete_named_query(self: AthenaBackend, query_id: str) -> None:
    if query_id not in self.named_queries:
        raise JsonRESTError("InvalidRequestException", f"NamedQuery {query_id} does not exist")
    del self.named_queries[query_id]


def delete_named_query_response(self: AthenaResponse) -> str:
    self.athena_backend.delete_named_query(self._get_param("NamedQueryId"))
    return json.dumps({})


def apply() -> None:
    AthenaBackend.delete_named_query = delete_named_query
    AthenaResponse.delete_named_query = delete_named_query_response
