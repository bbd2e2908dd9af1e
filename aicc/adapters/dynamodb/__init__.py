"""DynamoDB adapters: one module per port, each mapping typed values to items and back.

Item-format helpers are in `attributes`; table names and key layouts in `aicc.runtime.tables`.
Clients come from `aicc.runtime.clients` (boto3's standard configuration, `AWS_ENDPOINT_URL`).
"""
