"""AWS cost of one turn, from the API calls the bench counted and the handler durations it measured.

Prices: AWS public list prices for us-east-1, on-demand, without free tiers, as of January 2025:

- EventBridge custom events: $1.00 per million; each 64 KB chunk of an event is one event.
  https://aws.amazon.com/eventbridge/pricing/
- SQS standard queues: $0.40 per million requests; each 64 KB chunk of a payload is one request.
  EventBridge delivering an event to a queue target is a request the queue's owner pays for.
  https://aws.amazon.com/sqs/pricing/
- Lambda on arm64 (Graviton, as terraform/modules/function configures): $0.20 per million requests,
  $0.0000133334 per GB-second, duration rounded up to the millisecond.  https://aws.amazon.com/lambda/pricing/
- DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read request units
  (after the 50 % cut of 1 November 2024).  https://aws.amazon.com/dynamodb/pricing/on-demand/
- API Gateway WebSocket APIs: $1.00 per million messages (first billion; metered in 32 KB
  increments, both directions), $0.25 per million connection minutes.  https://aws.amazon.com/api-gateway/pricing/
- Bedrock, Anthropic Claude 3 Haiku on demand: $0.00025 per 1,000 input tokens, $0.00125 per
  1,000 output tokens (0 on the embedded default, which runs no LLM).  https://aws.amazon.com/bedrock/pricing/

Compared with: Amazon Connect chat, $0.004 per message on its older pricing and $0.010 with AI
included (https://aws.amazon.com/connect/pricing/), and Amazon Lex text, $0.00075 per request
(https://aws.amazon.com/lex/pricing/).

Modelled, not counted, and said so in the output:
- the event-source mappings' idle polling: on AWS each mapping long-polls with
  `AWS_POLLERS_PER_QUEUE` pollers, 20 s per empty receive, whatever the traffic. At the measured
  throughput that floor is amortised per turn; the counted receives replace it when they are more;
- connection minutes: customers type at human speed, so a connection is held
  `ASSUMED_SECONDS_PER_TURN` per turn (the bench's customers answer at once, which would understate it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRICES_AS_OF = "January 2025"
REGION = "us-east-1"

PRICE_EVENTBRIDGE_EVENT = 1.00 / 1e6
PRICE_SQS_REQUEST = 0.40 / 1e6
PRICE_LAMBDA_REQUEST = 0.20 / 1e6
PRICE_LAMBDA_GB_SECOND_ARM64 = 0.0000133334
PRICE_DYNAMODB_WRITE_UNIT = 0.625 / 1e6
PRICE_DYNAMODB_READ_UNIT = 0.125 / 1e6
PRICE_WEBSOCKET_MESSAGE = 1.00 / 1e6
PRICE_WEBSOCKET_CONNECTION_MINUTE = 0.25 / 1e6
PRICE_BEDROCK_INPUT_TOKEN = 0.00025 / 1000
PRICE_BEDROCK_OUTPUT_TOKEN = 0.00125 / 1000

CONNECT_CHAT_PER_MESSAGE = 0.004
CONNECT_CHAT_AI_INCLUDED_PER_MESSAGE = 0.010
LEX_TEXT_PER_REQUEST = 0.00075

PRICE_SOURCES = {
    "eventbridge": "https://aws.amazon.com/eventbridge/pricing/",
    "sqs": "https://aws.amazon.com/sqs/pricing/",
    "lambda": "https://aws.amazon.com/lambda/pricing/",
    "dynamodb": "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    "apigateway": "https://aws.amazon.com/api-gateway/pricing/",
    "bedrock": "https://aws.amazon.com/bedrock/pricing/",
    "connect": "https://aws.amazon.com/connect/pricing/",
    "lex": "https://aws.amazon.com/lex/pricing/",
}

# Lambda's SQS event-source mapping starts with five pollers per queue (AWS Lambda developer guide,
# "Scaling and processing for SQS event source mappings"), each a 20 s long poll when idle.
AWS_POLLERS_PER_QUEUE = 5
LONG_POLL_S = 20.0
ASSUMED_SECONDS_PER_TURN = 30.0


def sizing_key(function_name: str) -> str:
    """`aicc-ws-ingress` -> `ws_ingress`: the deployed function's row in contracts/sizing.py."""
    from aicc.embedded.invoke import FUNCTION_PREFIX

    return function_name.removeprefix(FUNCTION_PREFIX).replace("-", "_")


def function_memory_mb(function_name: str) -> int:
    """The deployed memory of `aicc-<name>` (contracts/sizing.py, the table Terraform reads)."""
    from contracts.sizing import memory_mb

    return memory_mb(sizing_key(function_name))


@dataclass(frozen=True)
class FunctionUsage:
    invocations: int
    billed_ms: float  # the sum of durations, each rounded up to the millisecond
    memory_mb: int


def _per_turn(total: float, turns: int) -> float:
    return total / max(1, turns)


def _units(api_calls: dict[str, dict[str, dict[str, float]]], service: str, unit: str) -> float:
    return sum(counters.get(unit, 0.0) for counters in api_calls.get(service, {}).values())


def cost_per_turn(
    *,
    turns: int,
    turns_per_s: float,
    api_calls: dict[str, dict[str, dict[str, float]]],
    functions: dict[str, FunctionUsage],
    websocket_messages: int,
    queues: int,
) -> dict[str, Any]:
    """Dollars per turn by component, with the quantities behind each figure."""
    events = _per_turn(_units(api_calls, "events", "events"), turns)

    sqs = api_calls.get("sqs", {})
    counted_requests = _per_turn(_units(api_calls, "sqs", "requests"), turns)
    received = _per_turn(_units(api_calls, "sqs", "messages_received"), turns)
    sent_directly = _per_turn(_units(api_calls, "sqs", "messages_sent"), turns)
    # Messages that reached a queue without an SQS call of ours came from an EventBridge rule target.
    deliveries = max(0.0, received - sent_directly)
    counted_receives = _per_turn(sqs.get("ReceiveMessage", {}).get("calls", 0.0), turns)
    idle_floor_per_s = queues * AWS_POLLERS_PER_QUEUE / LONG_POLL_S
    idle_floor = idle_floor_per_s / turns_per_s if turns_per_s > 0 else 0.0
    polling_top_up = max(0.0, idle_floor - counted_receives)
    sqs_requests = counted_requests + deliveries + polling_top_up

    lambda_requests = _per_turn(sum(f.invocations for f in functions.values()), turns)
    gb_seconds = _per_turn(sum(f.billed_ms / 1000 * f.memory_mb / 1024 for f in functions.values()), turns)

    read_units = _per_turn(_units(api_calls, "dynamodb", "read_units"), turns)
    write_units = _per_turn(_units(api_calls, "dynamodb", "write_units"), turns)

    messages = _per_turn(websocket_messages, turns)
    connection_minutes = ASSUMED_SECONDS_PER_TURN / 60
    input_tokens = _per_turn(_units(api_calls, "bedrock-runtime", "input_tokens"), turns)
    output_tokens = _per_turn(_units(api_calls, "bedrock-runtime", "output_tokens"), turns)

    components = {
        "eventbridge": events * PRICE_EVENTBRIDGE_EVENT,
        "sqs": sqs_requests * PRICE_SQS_REQUEST,
        "lambda_requests": lambda_requests * PRICE_LAMBDA_REQUEST,
        "lambda_duration": gb_seconds * PRICE_LAMBDA_GB_SECOND_ARM64,
        "dynamodb": read_units * PRICE_DYNAMODB_READ_UNIT + write_units * PRICE_DYNAMODB_WRITE_UNIT,
        "apigateway_websocket": messages * PRICE_WEBSOCKET_MESSAGE
        + connection_minutes * PRICE_WEBSOCKET_CONNECTION_MINUTE,
        "bedrock": input_tokens * PRICE_BEDROCK_INPUT_TOKEN + output_tokens * PRICE_BEDROCK_OUTPUT_TOKEN,
    }
    total = sum(components.values())
    return {
        "cost_per_turn_usd": total,
        "cost_per_1000_turns_usd": total * 1000,
        "components_usd": components,
        "quantities_per_turn": {
            "eventbridge_events": events,
            "sqs_requests": sqs_requests,
            "sqs_requests_counted": counted_requests,
            "sqs_rule_deliveries": deliveries,
            "sqs_receive_calls_counted": counted_receives,
            "sqs_idle_polling_floor": idle_floor,
            "lambda_requests": lambda_requests,
            "lambda_gb_seconds": gb_seconds,
            "dynamodb_read_units": read_units,
            "dynamodb_write_units": write_units,
            "websocket_messages": messages,
            "websocket_connection_minutes": connection_minutes,
            "bedrock_input_tokens": input_tokens,
            "bedrock_output_tokens": output_tokens,
        },
        "idle_polling_usd_per_month": idle_floor_per_s * 86400 * 30 * PRICE_SQS_REQUEST,
        "compare_per_turn_usd": {
            "amazon_connect_chat": CONNECT_CHAT_PER_MESSAGE,
            "amazon_connect_chat_ai_included": CONNECT_CHAT_AI_INCLUDED_PER_MESSAGE,
            "amazon_lex_text": LEX_TEXT_PER_REQUEST,
        },
        "prices": {
            "as_of": PRICES_AS_OF,
            "region": REGION,
            "sources": PRICE_SOURCES,
            "assumptions": {
                "aws_pollers_per_queue": AWS_POLLERS_PER_QUEUE,
                "long_poll_s": LONG_POLL_S,
                "seconds_per_turn_connected": ASSUMED_SECONDS_PER_TURN,
                "lambda_architecture": "arm64",
            },
        },
    }
