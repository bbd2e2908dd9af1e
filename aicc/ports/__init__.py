"""Ports: the typed interfaces agent logic and handlers use for state and delivery.

One module per table or concern. A port speaks in contract models and small frozen dataclasses,
never in DynamoDB's item format; `aicc.adapters.dynamodb` implements each port on DynamoDB and
`aicc.adapters.memory` implements the same semantics in memory (conditional writes, the replaced
item a write returns, TTL) for unit tests. Each port has one contract test suite that runs
against both (`tests/contract/`).
"""
