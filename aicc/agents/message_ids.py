"""Which conversation and turn a customer's message is: ids derived from the message itself, so a
retry (the same frame sent again, from any socket) maps onto the same stored turn.

- A message in an existing conversation is turn `turn_id_for(conversation, user, client_message_id)`:
  the same client message id in the same conversation is a retry, the same id in another
  conversation is a new turn. Clients may number their message ids per conversation.
- A message that opens a conversation (no `conversation_id`) gets the conversation id
  `new_conversation_id(user, client_message_id, text, generation)`. The text is part of it
  because clients that number per conversation open every conversation with the same id (say
  "1"): a retry resends the same text, a new conversation usually says something else. When it
  says the same (two conversations opened with "1": "hi"), the earlier opening turn is older
  than `OPENING_RETRY_WINDOW_S`, which a retry never is, and the next generation is tried: a
  fresh id for the new conversation, the same one again for its own retries.
"""

from __future__ import annotations

import hashlib
import uuid

_NAMESPACE = uuid.UUID("6f1c1c1e-5d0e-4a53-9a55-0a1cc0de0001")

# A client resends a message it has no ack for within seconds (a reconnect included); an opening
# message seen longer ago than this under the same derived id is a new conversation.
OPENING_RETRY_WINDOW_S = 120.0
# How many conversations one user may open with the same client message id and the same text;
# past this many the last one's opening turn is taken for a retry (bounds the probing).
MAX_GENERATIONS = 64


def turn_id_for(conversation_id: str, user_id: str, client_message_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"turn:{conversation_id}:{user_id}:{client_message_id}"))


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _conversation_id(user_id: str, client_message_id: str, digest: str, generation: int) -> str:
    suffix = f":{generation}" if generation else ""
    return str(uuid.uuid5(_NAMESPACE, f"conversation:{user_id}:{client_message_id}:{digest}{suffix}"))


def new_conversation_id(user_id: str, client_message_id: str, text: str, generation: int = 0) -> str:
    return _conversation_id(user_id, client_message_id, _text_digest(text), generation)


def is_first_turn(conversation_id: str, user_id: str, client_message_id: str, text: str) -> bool:
    """True when this message opened the conversation (its id was derived from the message).

    Exact: a later message with the same client message id in that conversation is the same turn,
    a retry, and never reaches the agents.
    """
    digest = _text_digest(text)
    return any(
        conversation_id == _conversation_id(user_id, client_message_id, digest, generation)
        for generation in range(MAX_GENERATIONS)
    )
