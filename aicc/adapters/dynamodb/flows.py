"""Conversation flows on DynamoDB, in the conversations table: the flow's state is the item with sk
`FLOW#<flow>` (one JSON `state` attribute, plus `flow_status`); the flag is `flow` on the META item."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aicc.adapters.dynamodb.attributes import Item, doc, required_text, s, strings, text
from aicc.adapters.dynamodb.table import SharedDynamoDB
from aicc.ports.flows import ConversationFlow
from aicc.runtime.clients import client
from aicc.runtime.tables import table_name

META_SK = "META"


def flow_sk(flow: str) -> str:
    return f"FLOW#{flow}"


class DynamoFlows(SharedDynamoDB):
    def load(self, conversation_id: str, flow: str) -> ConversationFlow:
        """META and the flow's item in one BatchGetItem."""
        dynamodb = client("dynamodb")
        table = table_name("conversations")
        keys = [strings({"conversation_id": conversation_id, "sk": sk}) for sk in (META_SK, flow_sk(flow))]
        request: dict[str, Any] = {table: {"Keys": keys, "ConsistentRead": True}}
        items: dict[str, Item] = {}
        while request:
            response = dynamodb.batch_get_item(RequestItems=request)
            items.update({required_text(item, "sk"): item for item in response.get("Responses", {}).get(table, [])})
            request = response.get("UnprocessedKeys") or {}
        meta, stored = items.get(META_SK, {}), items.get(flow_sk(flow))
        state = text(stored, "state") if stored else None
        return ConversationFlow(
            owner=text(meta, "customer_id"),
            flag=text(meta, "flow"),
            state=json.loads(state) if state is not None else None,
        )

    def save(
        self,
        conversation_id: str,
        flow: str,
        state: Mapping[str, Any],
        *,
        status: str,
        waiting: bool,
        flag_seen: str | None,
    ) -> None:
        dynamodb = client("dynamodb")
        table = table_name("conversations")
        dynamodb.put_item(
            TableName=table,
            Item={
                **strings({"conversation_id": conversation_id, "sk": flow_sk(flow), "flow_status": status}),
                "state": doc(dict(state)),
            },
        )
        key = strings({"conversation_id": conversation_id, "sk": META_SK})
        try:
            if waiting and flag_seen != flow:
                dynamodb.update_item(
                    TableName=table,
                    Key=key,
                    UpdateExpression="SET flow = :f",
                    ConditionExpression="attribute_exists(conversation_id)",  # never create a META item
                    ExpressionAttributeValues={":f": s(flow)},
                )
            elif not waiting and flag_seen == flow:
                dynamodb.update_item(
                    TableName=table,
                    Key=key,
                    UpdateExpression="REMOVE flow",
                    ConditionExpression="flow = :f",  # only our own flag
                    ExpressionAttributeValues={":f": s(flow)},
                )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            pass
