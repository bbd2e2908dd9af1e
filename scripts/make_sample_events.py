"""Write events/: one realistic sample per event type (EventBridge envelope, as a queue receives it)
and per API Gateway WebSocket route. Every sample is validated by constructing its contract model.

Run: python scripts/make_sample_events.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.events import EVENT_MODELS
from contracts.manifest import manifest

ROOT = Path(__file__).resolve().parents[1] / "events"
TURN = "0b6f2c52-8d7e-5f0c-9a43-3c1f2de8a101"
CONVERSATION = "5d1e7a90-2f4b-5c3d-8e6f-7a8b9c0d1e2f"
CUSTOMER = "cust-0001"
VIN = "5ARAX1E23MH000126"
T0 = "2026-11-24T09:15:02.120000Z"


def meta(producer: str, causation: str, offset_ms: int) -> dict[str, Any]:
    return {
        "turn_id": TURN,
        "conversation_id": CONVERSATION,
        "customer_id": CUSTOMER,
        "causation_id": causation,
        "producer": producer,
        "schema_version": "1",
        "occurred_at": f"2026-11-24T09:15:02.{120 + offset_ms:03d}000Z",
    }


RECEIVED_ID = "7c1d2e3f-0001-4a5b-8c9d-0e1f2a3b4c5d"
INTENT_ID = "7c1d2e3f-0002-4a5b-8c9d-0e1f2a3b4c5d"
SENTIMENT_ID = "7c1d2e3f-0003-4a5b-8c9d-0e1f2a3b4c5d"
SOURCE_MANUAL = {
    "title": "Aster owner's manual: Tire pressure monitoring",
    "uri": "https://owners.aurora-motors.example/manuals/aster/2021#tire-pressure-monitoring",
}

DETAILS: dict[str, tuple[str, dict[str, Any]]] = {
    "ConversationReceived": (
        RECEIVED_ID,
        {
            "meta": meta("ingress", "Lk3PsfGJIAMFr7Q=", 0),
            "text": "The tire pressure light came on in my 2021 Aster this morning, is it safe to drive?",
            "client_message_id": "f3a1c2d4-1b2c-4d5e-8f90-a1b2c3d4e5f6",
            "connection_id": "Lk3PscfYIAMCKxw=",
            "role": "customer",
            "dealer_id": None,
            "locale": "en-US",
        },
    ),
    "IntentDetected": (
        INTENT_ID,
        {
            "meta": meta("intent", RECEIVED_ID, 6),
            "text": "The tire pressure light came on in my 2021 Aster this morning, is it safe to drive?",
            "intent": "vehicle_problem",
            "confidence": 0.93,
            "entities": {"model": "Aster", "model_year": 2021, "warning_light": "tire_pressure", "date": "2026-11-24"},
            "alternatives": [
                {"intent": "vehicle_feature_help", "confidence": 0.04},
                {"intent": "roadside_assistance", "confidence": 0.02},
            ],
            "model": "local-linear/1",
        },
    ),
    "SentimentAnalyzed": (
        SENTIMENT_ID,
        {
            "meta": meta("sentiment", RECEIVED_ID, 5),
            "label": "neutral",
            "score": -0.12,
            "urgency": "medium",
            "cues": ["warning light", "safe to drive"],
            "model": "local-lexicon/1",
        },
    ),
    "RouteDecided": (
        "7c1d2e3f-0004-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("routing", INTENT_ID, 14),
            "route": {"kind": "bot", "queue": None, "priority": "normal"},
            "reason": "default: the assistant can answer (intent=vehicle_problem, sentiment=neutral, urgency=medium)",
            "intent": "vehicle_problem",
            "sentiment": "neutral",
            "urgency": "medium",
        },
    ),
    "KnowledgeRetrieved": (
        "7c1d2e3f-0005-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("knowledge", RECEIVED_ID, 8),
            "query": "The tire pressure light came on in my 2021 Aster this morning, is it safe to drive?",
            "passages": [
                {
                    "doc_id": "aster-tpms-light",
                    "title": SOURCE_MANUAL["title"],
                    "section": "Warning lights",
                    "text": "A steady amber tire pressure light means one or more tires are at least 25% below the "
                    "recommended pressure. It is safe to drive carefully to the nearest air pump; check the "
                    "pressures cold against the label on the driver's door jamb.",
                    "uri": SOURCE_MANUAL["uri"],
                    "score": 0.87,
                }
            ],
            "provider": "local",
        },
    ),
    "ProfileLoaded": (
        "7c1d2e3f-0006-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("personalization", RECEIVED_ID, 9),
            "known": True,
            "profile": {
                "customer_id": CUSTOMER,
                "name": "Ava Thompson",
                "language": "en",
                "preferred_dealer": "dlr-harbor",
                "marketing_consent": True,
                "household_size": 3,
                "segment": "couple",
            },
            "vehicles": [
                {
                    "vin": VIN,
                    "model": "Aster",
                    "model_year": 2021,
                    "trim": "Aster S",
                    "mileage": 70900,
                    "mileage_unit": "mi",
                    "purchase_date": "2021-01-31",
                }
            ],
            "history": [],
        },
    ),
    "CockpitGuidance": (
        "7c1d2e3f-0007-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("cockpit", INTENT_ID, 15),
            "topic": "tire_pressure",
            "model": "Aster",
            "model_year": 2021,
            "steps": [
                "Pull over when safe and check all four tires for visible damage.",
                "Inflate to 35 psi (cold) as shown on the driver's door jamb label.",
                "Drive for 10 minutes above 15 mph; the light turns off once pressures are correct.",
            ],
            "severity": "caution",
            "safe_to_drive": True,
            "sources": [SOURCE_MANUAL],
        },
    ),
    "RecommendationsMade": (
        "7c1d2e3f-0008-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("recommendations", INTENT_ID, 15),
            "items": [
                {
                    "kind": "service_plan",
                    "sku": "SP-CARE-3",
                    "name": "Aurora Care 3-year plan",
                    "price": 899.0,
                    "currency": "USD",
                    "score": 0.82,
                    "reason": "70,900 miles and past the basic warranty",
                }
            ],
            "sources": [{"title": "Aurora service plans", "uri": "https://www.aurora-motors.example/service-plans"}],
        },
    ),
    "InsightsComputed": (
        "7c1d2e3f-0009-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("cdh", RECEIVED_ID, 10),
            "open_recalls": [],
            "warranty": [
                {
                    "vin": VIN,
                    "coverage": "powertrain",
                    "expires_on": "2026-01-31",
                    "expires_at_mileage": 60000,
                    "expiring_soon": False,
                }
            ],
            "service_due": [{"vin": VIN, "service": "tire_rotation", "due_at_mileage": 72500, "overdue": False}],
            "churn_risk": 0.18,
            "lifetime_value": 2500.0,
            "next_best_action": {"action": "offer_service_plan", "reason": "out of basic warranty, high mileage"},
            "sources": [],
        },
    ),
    "OfferGenerated": (
        "7c1d2e3f-000a-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("marketing", "7c1d2e3f-0004-4a5b-8c9d-0e1f2a3b4c5d", 16),
            "eligible": True,
            "reason": "marketing consent given, buying intent, mood not negative",
            "offer": {
                "offer_id": "OFF-2026-11-TIRES",
                "headline": "15% off a set of four all-season tires",
                "body": "Ava, your Aster is due for new tires soon: book fitting at Aurora Harbor City and save 15%.",
                "terms": "Valid at participating dealers until 2026-12-31; one set per vehicle.",
                "valid_until": "2026-12-31",
            },
            "sources": [{"title": "Current offers", "uri": "https://www.aurora-motors.example/offers"}],
        },
    ),
    "ServiceActionTaken": (
        "7c1d2e3f-000b-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("servicing", INTENT_ID, 18),
            "action": "slots_offered",
            "kind": "service",
            "slots": [
                {
                    "slot_id": "dlr-harbor#2026-11-26T09:00",
                    "dealer_id": "dlr-harbor",
                    "start": "2026-11-26T09:00:00-08:00",
                    "bay": "bay-2",
                },
                {
                    "slot_id": "dlr-harbor#2026-11-26T11:00",
                    "dealer_id": "dlr-harbor",
                    "start": "2026-11-26T11:00:00-08:00",
                    "bay": "bay-1",
                },
            ],
            "appointment": None,
            "missing": [],
            "sources": [{"title": "Aurora Harbor City", "uri": "https://www.aurora-motors.example/dealers/dlr-harbor"}],
        },
    ),
    "TurnAssembled": (
        "7c1d2e3f-000c-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("aggregator", INTENT_ID, 20),
            "results": {},  # the turn's results so far, filled in below from their own samples
            "missing": ["KnowledgeRetrieved"],
            "degraded": True,
        },
    ),
    "ResponseComposed": (
        "7c1d2e3f-000d-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("response", "7c1d2e3f-000c-4a5b-8c9d-0e1f2a3b4c5d", 22),
            "text": "Here is what the owner's manual says for your 2021 Aster: a steady amber tire pressure light "
            "means a tire is low. It is safe to drive carefully to the nearest air pump.",
            "quick_actions": [
                {"label": "Book a service appointment", "action": "I'd like to book a service appointment"}
            ],
            "route": {"kind": "bot", "queue": None, "priority": "normal"},
            "suggestions": ["Is there a recall on my car?"],
            "sources": [SOURCE_MANUAL],
            "language": "en",
            "degraded": False,
            "contributors": ["CockpitGuidance", "IntentDetected", "KnowledgeRetrieved", "ProfileLoaded"],
        },
    ),
    "TurnDeadline": (
        "7c1d2e3f-000e-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("aggregator", RECEIVED_ID, 3),
            "deadline_s": 3,
        },
    ),
    "ReplySent": (
        "7c1d2e3f-000f-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("aggregator", "7c1d2e3f-0004-4a5b-8c9d-0e1f2a3b4c5d", 31),
            "text": "Hi Ava. Here is what the owner's manual says for your 2021 Aster: a steady amber tire pressure "
            "light means one or more tires are at least 25% below the recommended pressure.",
            "route": {"kind": "bot", "queue": None, "priority": "normal"},
            "quick_actions": [
                {"label": "Book a service appointment", "action": "I'd like to book a service appointment"},
                {"label": "Talk to a person", "action": "I'd like to talk to a person"},
            ],
            "suggestions": ["Is there a recall on my car?"],
            "sources": [SOURCE_MANUAL],
            "degraded": False,
            "missing": [],
            "contributors": [
                "IntentDetected",
                "KnowledgeRetrieved",
                "ProfileLoaded",
                "RouteDecided",
                "SentimentAnalyzed",
            ],
            "delivered": True,
            "latency_ms": 31.4,
        },
    ),
    "AnalyticsRecorded": (
        "7c1d2e3f-0010-4a5b-8c9d-0e1f2a3b4c5d",
        {
            "meta": meta("analytics", "7c1d2e3f-000f-4a5b-8c9d-0e1f2a3b4c5d", 40),
            "intent": "vehicle_problem",
            "sentiment": "neutral",
            "route": {"kind": "bot", "queue": None, "priority": "normal"},
            "latency_ms": 31.4,
            "agent_latency_ms": {
                "intent": 6.0,
                "sentiment": 5.0,
                "knowledge": 8.0,
                "personalization": 9.0,
                "routing": 14.0,
            },
            "contributors": [
                "IntentDetected",
                "KnowledgeRetrieved",
                "ProfileLoaded",
                "RouteDecided",
                "SentimentAnalyzed",
            ],
            "degraded": False,
        },
    ),
}

# A degraded turn: the message, its intent and sentiment arrived; knowledge had not.
DETAILS["TurnAssembled"][1]["results"] = {
    detail_type: DETAILS[detail_type][1]
    for detail_type in ("ConversationReceived", "IntentDetected", "SentimentAnalyzed")
}


def source_for(detail_type: str, producer: str) -> str:
    try:
        return manifest().source_of(detail_type)
    except KeyError:
        return f"aicc.{producer}"


def envelope(detail_type: str, event_id: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": source_for(detail_type, detail["meta"]["producer"]),
        "account": "123456789012",
        "time": detail["meta"]["occurred_at"][:19] + "Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


AUTHORIZER_CONTEXT = {"user_id": CUSTOMER, "role": "customer", "dealer_id": "", "principalId": CUSTOMER}
REQUEST_CONTEXT = {
    "apiId": "a1b2c3d4e5",
    "stage": "prod",
    "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
    "connectionId": "Lk3PscfYIAMCKxw=",
    "connectedAt": 1795597000000,
    "requestTimeEpoch": 1795597302120,
    "identity": {"sourceIp": "203.0.113.24", "userAgent": "aicc-chat/0.1"},
}
TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImFpY2MtbG9jYWwtMSJ9.sample.signature"

ROUTES: dict[str, dict[str, Any]] = {
    "authorizer": {
        "type": "REQUEST",
        "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect",
        "headers": {"Host": REQUEST_CONTEXT["domainName"], "Sec-WebSocket-Version": "13"},
        "queryStringParameters": {"token": TOKEN},
        "requestContext": {
            **REQUEST_CONTEXT,
            "routeKey": "$connect",
            "eventType": "CONNECT",
            "requestId": "Lk3PsfGJIAMFr7Q=",
        },
    },
    "connect": {
        "headers": {"Host": REQUEST_CONTEXT["domainName"]},
        "queryStringParameters": {"token": TOKEN},
        "isBase64Encoded": False,
        "requestContext": {
            **REQUEST_CONTEXT,
            "routeKey": "$connect",
            "eventType": "CONNECT",
            "requestId": "Lk3PsfGJIAMFr7Q=",
            "authorizer": AUTHORIZER_CONTEXT,
        },
    },
    "sendMessage": {
        "body": json.dumps(
            {
                "action": "sendMessage",
                "client_message_id": "f3a1c2d4-1b2c-4d5e-8f90-a1b2c3d4e5f6",
                "text": "The tire pressure light came on in my 2021 Aster this morning, is it safe to drive?",
            }
        ),
        "isBase64Encoded": False,
        "requestContext": {
            **REQUEST_CONTEXT,
            "routeKey": "sendMessage",
            "eventType": "MESSAGE",
            "messageId": "Lk3PtdfQIAMCL2w=",
            "requestId": "Lk3PtGMzIAMFrDg=",
            "authorizer": AUTHORIZER_CONTEXT,
        },
    },
    "default": {
        "body": json.dumps({"action": "reboot", "text": "hello"}),
        "isBase64Encoded": False,
        "requestContext": {
            **REQUEST_CONTEXT,
            "routeKey": "$default",
            "eventType": "MESSAGE",
            "messageId": "Lk3PufQ8IAMCJfA=",
            "requestId": "Lk3PuHb6IAMFrZw=",
            "authorizer": AUTHORIZER_CONTEXT,
        },
    },
    "takeConversation": {
        "body": json.dumps({"action": "takeConversation", "conversation_id": CONVERSATION}),
        "isBase64Encoded": False,
        "requestContext": {
            **REQUEST_CONTEXT,
            "routeKey": "takeConversation",
            "eventType": "MESSAGE",
            "connectionId": "Mq7RtbfXIAMCJxA=",
            "messageId": "Mq7RudQ9IAMCLgw=",
            "requestId": "Mq7RuHc1IAMFsBA=",
            "authorizer": {
                "user_id": "staff-north-1",
                "role": "dealer",
                "dealer_id": "dlr-north",
                "principalId": "staff-north-1",
            },
        },
    },
    "disconnect": {
        "headers": {"Host": REQUEST_CONTEXT["domainName"]},
        "isBase64Encoded": False,
        "requestContext": {
            **REQUEST_CONTEXT,
            "routeKey": "$disconnect",
            "eventType": "DISCONNECT",
            "disconnectStatusCode": 1000,
            "disconnectReason": "Client closed",
            "requestId": "Lk3PvFa1IAMFrxQ=",
            "authorizer": AUTHORIZER_CONTEXT,
        },
    },
}


def main() -> None:
    missing = set(EVENT_MODELS) - set(DETAILS)
    if missing:
        raise SystemExit(f"no sample for {sorted(missing)}")
    (ROOT / "bus").mkdir(parents=True, exist_ok=True)
    (ROOT / "websocket").mkdir(parents=True, exist_ok=True)
    for detail_type, (event_id, detail) in DETAILS.items():
        EVENT_MODELS[detail_type].model_validate(detail)
        path = ROOT / "bus" / f"{detail_type}.json"
        path.write_text(json.dumps(envelope(detail_type, event_id, detail), indent=2) + "\n")
    for route, event in ROUTES.items():
        (ROOT / "websocket" / f"{route}.json").write_text(json.dumps(event, indent=2) + "\n")
    print(f"wrote {len(DETAILS)} bus events and {len(ROUTES)} WebSocket events under {ROOT}")


if __name__ == "__main__":
    main()
