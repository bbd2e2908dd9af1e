"""Kept for callers outside the adapters (`aicc.seed`): `put_all` lives in the DynamoDB adapters."""

from __future__ import annotations

from aicc.adapters.dynamodb.requests import BATCH_WRITE_MAX, UNPROCESSED_RETRIES, put_all

__all__ = ["BATCH_WRITE_MAX", "UNPROCESSED_RETRIES", "put_all"]
