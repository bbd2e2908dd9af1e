"""Routes of the read-only HTTP API (API Gateway HTTP API, payload format 2.0): the embedded gateway
serves them under `/api`, Terraform reads them from terraform/http_routes.json.

value: the handler. Every route needs a JWT (Cognito's authorizer on AWS, the local issuer's token
on the embedded gateway); the handler decides which roles it answers.
"""

from __future__ import annotations

HTTP_ROUTES: dict[str, str] = {
    "GET /stats": "handlers.http_stats.handler",
}
