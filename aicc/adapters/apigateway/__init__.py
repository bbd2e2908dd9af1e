"""API Gateway adapters: pushing frames over the WebSocket API's `@connections` management API."""
