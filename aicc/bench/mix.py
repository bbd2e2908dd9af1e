"""The shipped message mix: multi-turn conversations a contact center sees, one JSON object a line.

    {"id": "...", "customer": "cust-0002"?, "turns": [{"text": "..."} | {"quick_action": "Book slot ", "text": "..."}]}

`customer` pins a conversation to the demo customer it is about (a VIN, a model, a consent); the
others go to whichever demo customer the simulated customer plays. A `quick_action` turn presses
the previous reply's first quick action whose action starts with that prefix (as a customer taps
"Book slot ..."), and sends `text` when the reply offered none. Escalations (roadside, complaints,
a person) are always a conversation's last turn: after a handoff a person answers, not the bot.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DEMO_CUSTOMERS = tuple(f"cust-{n:04d}" for n in range(1, 23))


@dataclass(frozen=True)
class Turn:
    text: str
    quick_action: str | None = None


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: tuple[Turn, ...]
    customer: str | None = None


def load_mix(path: Path | None = None) -> list[Conversation]:
    text = path.read_text() if path else resources.files("aicc.bench.data").joinpath("conversations.jsonl").read_text()
    conversations = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        turns = tuple(Turn(text=t["text"], quick_action=t.get("quick_action")) for t in row["turns"])
        if not 1 <= len(turns) <= 4:
            raise ValueError(f"line {number}: a conversation has 1 to 4 turns, not {len(turns)}")
        customer = row.get("customer")
        if customer is not None and customer not in DEMO_CUSTOMERS:
            raise ValueError(f"line {number}: {customer} is not a demo customer")
        conversations.append(Conversation(id=row["id"], turns=turns, customer=customer))
    if not conversations:
        raise ValueError("the message mix is empty")
    return conversations
