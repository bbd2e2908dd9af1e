"""`aicc chat` for staff waits for each command's own answer: queue frames are also pushed whenever a
queue changes, and one arriving while a take is pending must not end the wait for the take's answer."""

from __future__ import annotations

from aicc.cli import answers_staff_command, staff_frame


def test_a_pushed_queue_frame_does_not_answer_a_take() -> None:
    take = staff_frame("/take conv-1")
    assert take is not None and take["action"] == "takeConversation"
    assert not answers_staff_command({"type": "queue", "conversations": []}, take)
    assert not answers_staff_command({"type": "handoff", "conversation_id": "conv-2", "status": "taken"}, take)
    assert answers_staff_command({"type": "handoff", "conversation_id": "conv-1", "status": "taken"}, take)
    assert answers_staff_command({"type": "error", "code": "conflict", "message": "taken"}, take)


def test_the_queue_command_is_answered_by_a_queue_frame() -> None:
    listing = staff_frame("/queue")
    assert listing is not None
    assert answers_staff_command({"type": "queue", "conversations": []}, listing)
    assert not answers_staff_command({"type": "message", "conversation_id": "conv-1"}, listing)
    assert not answers_staff_command({"type": "queue", "conversations": []}, None)  # nothing is waiting
