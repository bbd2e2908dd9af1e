"""The score of a dialog run: conversations and turns passed, overall and by category, the failed
checks by kind, and every failing turn with what the customer typed and what came back."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aicc.dialogs.run import ConversationResult
from aicc.dialogs.suite import CATEGORIES

REPLY_CHARS = 700


def _share(passed: int, total: int) -> float:
    return round(passed / total, 4) if total else 0.0


def summarise(results: list[ConversationResult]) -> dict[str, Any]:
    """The JSON report (`aicc eval --dialogs --json`); the text report is drawn from it."""
    by_category: dict[str, dict[str, Any]] = {}
    kinds: Counter[str] = Counter()
    failures: list[dict[str, Any]] = []
    for category in CATEGORIES:
        chosen = [r for r in results if r.conversation.category == category]
        if not chosen:
            continue
        turns = [t for r in chosen for t in r.turns]
        by_category[category] = _counts(sum(r.passed for r in chosen), len(chosen), turns)
    for result in results:
        for turn in result.turns:
            kinds.update({f.kind for f in turn.failures})
            if turn.passed:
                continue
            reply = turn.reply or {}
            failures.append(
                {
                    "conversation": result.conversation.id,
                    "category": result.conversation.category,
                    "customer": result.conversation.customer,
                    "file": result.conversation.source,
                    "turn": turn.number,
                    "said": turn.said,
                    "reply": reply.get("text") if reply.get("type") == "reply" else None,
                    "route": reply.get("route"),
                    "quick_actions": [a.get("label") for a in reply.get("quick_actions") or []],
                    "failed": [{"kind": f.kind, "detail": f.detail} for f in turn.failures],
                }
            )
    all_turns = [t for r in results for t in r.turns]
    return {
        **_counts(sum(r.passed for r in results), len(results), all_turns),
        "by_category": by_category,
        "failed_checks_by_kind": dict(kinds.most_common()),
        "failures": failures,
    }


def _counts(conversations_passed: int, conversations: int, turns: list[Any]) -> dict[str, Any]:
    turns_passed = sum(t.passed for t in turns)
    return {
        "conversations": conversations,
        "conversations_passed": conversations_passed,
        "conversation_pass_rate": _share(conversations_passed, conversations),
        "turns": len(turns),
        "turns_passed": turns_passed,
        "turn_pass_rate": _share(turns_passed, len(turns)),
    }


def format_report(summary: dict[str, Any], *, failures: bool = True) -> str:
    lines = []
    if failures and summary["failures"]:
        lines.append("failing turns")
        for failure in summary["failures"]:
            lines.append(
                f"- [{failure['category']}] {failure['conversation']} turn {failure['turn']}"
                f" ({failure['customer']}, {failure['file']})"
            )
            lines.append(f"    customer: {failure['said']}")
            reply = failure["reply"]
            if reply is not None:
                shown = reply if len(reply) <= REPLY_CHARS else reply[: REPLY_CHARS - 1] + "…"
                lines.append(f"    reply:    {shown}")
                route = failure["route"] or {}
                extra = f"    route:    {route.get('kind')} {route.get('queue') or '-'} {route.get('priority')}"
                if failure["quick_actions"]:
                    extra += "; buttons: " + " | ".join(failure["quick_actions"])
                lines.append(extra)
            for failed in failure["failed"]:
                lines.append(f"    FAILED {failed['kind']}: {failed['detail']}")
        lines.append("")
    lines.append(f"{'category':14} {'conversations':>20} {'turns':>20}")
    for category, counts in summary["by_category"].items():
        lines.append(_row(category, counts))
    lines.append(_row("all", summary))
    if summary["failed_checks_by_kind"]:
        lines.append("")
        lines.append(
            "failed checks by kind: " + ", ".join(f"{k} {n}" for k, n in summary["failed_checks_by_kind"].items())
        )
    return "\n".join(lines)


def _row(label: str, counts: dict[str, Any]) -> str:
    conversations = (
        f"{counts['conversations_passed']}/{counts['conversations']} {counts['conversation_pass_rate']:6.1%}"
    )
    turns = f"{counts['turns_passed']}/{counts['turns']} {counts['turn_pass_rate']:6.1%}"
    return f"{label:14} {conversations:>20} {turns:>20}"
