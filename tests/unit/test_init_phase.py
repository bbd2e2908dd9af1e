"""What a handler builds at import (Lambda's init phase, held by a SnapStart snapshot): its clients,
the NLU model, the knowledge index. No AWS call is made: creating a client opens no connection."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aicc.adapters.apigateway.pusher import ApiGatewayPusher
from aicc.adapters.dynamodb.appointments import DynamoAppointments
from aicc.adapters.dynamodb.connections import DynamoDBConnections
from aicc.adapters.dynamodb.conversations import DynamoDBConversations
from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.adapters.dynamodb.eventlog import DynamoDBEventLog
from aicc.adapters.dynamodb.flows import DynamoFlows
from aicc.adapters.dynamodb.handoff import DynamoDBHandoff
from aicc.adapters.dynamodb.offers import DynamoOffers
from aicc.adapters.dynamodb.turns import DynamoDBTurnStore
from aicc.runtime import clients
from aicc.runtime.bus import EventBridgeBus

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "make",
    [
        DynamoAppointments,
        DynamoDBConnections,
        DynamoDBConversations,
        DynamoDBCustomers,
        DynamoDBEventLog,
        DynamoFlows,
        DynamoDBHandoff,
        DynamoOffers,
        lambda: DynamoDBTurnStore("aggregator"),
    ],
)
def test_constructing_a_dynamodb_adapter_creates_the_shared_client(make: object) -> None:
    assert clients.created() == set()
    make()  # type: ignore[operator]
    assert clients.created() == {("dynamodb", None)}


def test_an_adapter_given_its_own_client_creates_none() -> None:
    DynamoDBEventLog(dynamodb=object(), table="t")  # type: ignore[arg-type]
    assert clients.created() == set()


def test_the_bus_creates_eventbridge_and_for_the_aggregator_sqs(monkeypatch: pytest.MonkeyPatch) -> None:
    EventBridgeBus()
    assert clients.created() == {("events", None)}
    monkeypatch.setenv("AICC_DEADLINE_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/aggregator-queue")
    EventBridgeBus()
    assert clients.created() == {("events", None), ("sqs", None)}


def test_the_pusher_creates_its_client_when_the_callback_url_is_known(monkeypatch: pytest.MonkeyPatch) -> None:
    ApiGatewayPusher(_NoConnections())
    assert clients.created() == set(), "no URL yet (tests set it later): the first push creates it"
    url = "https://abc.execute-api.us-east-1.amazonaws.com/live"
    monkeypatch.setenv("AICC_CALLBACK_URL", url)
    ApiGatewayPusher(_NoConnections())
    assert clients.created() == {("apigatewaymanagementapi", url)}


def test_reset_still_forgets_clients_built_at_import() -> None:
    DynamoDBCustomers()
    clients.reset()
    assert clients.created() == set()


class _NoConnections:
    def drop(self, connection_id: str) -> None: ...
    def of_user(self, user_id: str) -> list[str]:
        return []


# --- the models and indexes, in a fresh interpreter as on Lambda ---------------------------------------

NO_FILES_AFTER_WARM_UP = """
import pathlib, sys
{warm}
def refuse(*args, **kwargs):
    raise AssertionError("read a file after the warm-up")
pathlib.Path.read_bytes = refuse
pathlib.Path.read_text = refuse
pathlib.Path.open = refuse
{use}
print("ok")
"""


@pytest.mark.parametrize(
    ("warm", "use"),
    [
        (
            "from aicc.nlu import warm_intent; warm_intent()",
            "from aicc.nlu import detect_intent; assert detect_intent('my tire pressure light is on').intent",
        ),
        (
            "from aicc.nlu import warm_sentiment; warm_sentiment()",
            "from aicc.nlu import analyze_sentiment; assert analyze_sentiment('this is awful!!!').label",
        ),
        (
            "from aicc.knowledge import warm; warm()",
            "from aicc.knowledge import search; assert search('how do I pair my phone', k=2)",
        ),
    ],
    ids=["intent", "sentiment", "knowledge"],
)
def test_after_the_warm_up_a_first_call_reads_no_file(warm: str, use: str) -> None:
    script = NO_FILES_AFTER_WARM_UP.format(warm=warm, use=use)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


@pytest.mark.parametrize(
    ("variable", "provider", "warm", "service"),
    [
        ("AICC_INTENT_PROVIDER", "bedrock", "warm_intent", "bedrock-runtime"),
        ("AICC_SENTIMENT_PROVIDER", "comprehend", "warm_sentiment", "comprehend"),
    ],
)
def test_the_nlu_warm_up_creates_the_selected_providers_client(
    monkeypatch: pytest.MonkeyPatch, variable: str, provider: str, warm: str, service: str
) -> None:
    import aicc.nlu

    getattr(aicc.nlu, warm)()
    assert clients.created() == set()
    monkeypatch.setenv(variable, provider)
    getattr(aicc.nlu, warm)()
    assert clients.created() == {(service, None)}


def test_the_knowledge_warm_up_creates_the_kendra_client_when_kendra_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    from aicc.knowledge import warm

    warm()
    assert clients.created() == set()
    monkeypatch.setenv("AICC_KNOWLEDGE_PROVIDER", "kendra")
    warm()
    assert clients.created() == {("kendra", None)}
