"""Adapters behind the ports in `aicc.ports`: DynamoDB (`dynamodb`) and in-memory (`memory`).

`aicc.adapters.dynamodb` is the only place in `aicc/`, `handlers/` and `contracts/` that knows
DynamoDB's item format (the embedded stand-in, which *is* DynamoDB locally, excepted).
"""
