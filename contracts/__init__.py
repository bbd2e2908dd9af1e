"""Contracts: event details, WebSocket frames and the choreography manifest (pydantic v2)."""
