"""Error answers in the OpenAPI schema.

Every operation can answer with the errors the stack itself produces, whatever the view:
401 (no, unknown, expired or revoked key), 403 (the key lacks the scope), 404 (not this
organisation's object, or no such object), 429 (rate limit), and 400 on writes (invalid
input), 413 on uploads. Documenting them once here keeps each view's annotations about
its own answers, and lets schemathesis check that nothing else comes back.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "What went wrong, in the client's language (French by default).",
}
# A refused input: {"field": ["message", ...], "non_field_errors": [...]} or {"detail": ...}.
VALIDATION_SCHEMA = {"type": "object", "additionalProperties": {}}

ERRORS = {
    "400": "Invalid input or query parameter: the answer names what was refused.",
    "401": "No API key, or an unknown, expired or revoked one.",
    "403": "The key lacks the scope this operation needs.",
    "404": "No such object in the key's organisation.",
    "429": "Too many requests for this key; retry after the Retry-After delay.",
}
WRITE_ERRORS = {
    "409": "The object is locked (a closed audit) or changed meanwhile.",
}
UPLOAD_ERRORS = {
    "413": "Past the per-file or per-request size limit.",
    "507": "No room to store the upload now; nothing was kept.",
}
QUEUE_ERRORS = {"503": "The processing queue is unavailable; retry after Retry-After."}


def _add(responses: dict[str, Any], errors: dict[str, str], schema: dict[str, Any]) -> None:
    for status, description in errors.items():
        responses.setdefault(
            status,
            {"description": description, "content": {"application/json": {"schema": schema}}},
        )


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (see SPECTACULAR_SETTINGS)."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            _add(responses, ERRORS, VALIDATION_SCHEMA)
            if method != "get":
                _add(responses, WRITE_ERRORS, VALIDATION_SCHEMA)
                _add(responses, QUEUE_ERRORS, ERROR_SCHEMA)
                content = operation.get("requestBody", {}).get("content", {})
                if "multipart/form-data" in content:
                    _add(responses, UPLOAD_ERRORS, ERROR_SCHEMA)
    return result
