"""The shipped message mix (conversations.jsonl)."""
