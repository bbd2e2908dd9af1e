"""Replays of the bus archive: which agents re-run, and where replayed replies go.

A replay re-sends archived events (they carry `replay-name`); everything an agent derives from
them carries `meta.replay`. Rules for a replay:

- *Live* agents re-run: the agents whose rules the replay targets (`FilterArns`; all when the
  replay has no filter), plus the aggregator (it routes and composes the reply with routing's and
  response generation's logic, so a replay tests changes to either), minus every
  agent with side effects (servicing, marketing, analytics): a replay never books, cancels, offers
  or counts anything a second time. Their archived results stand in for them.
- A live agent ignores the archived copy of an event whose producer is live too: the re-run
  produces a fresh one, and that is the one being tested.
- The aggregator keeps replayed turns in their own turn state, never pushes to a socket, and
  records the reply in the replay results (`aicc.ports.replays`) under the replay name and the
  original turn id.
"""

from __future__ import annotations

from functools import lru_cache

from aicc.runtime.clients import client
from contracts.manifest import manifest

REPLY_PATH = frozenset({"aggregator"})


def agents_for_rules(rule_arns: list[str]) -> set[str]:
    """Agents owning these rules (ARN `…:rule/<bus>/<rule name>`)."""
    names = {arn.rsplit("/", 1)[-1] for arn in rule_arns}
    return {a.name for a in manifest().agents if any(a.rule_name(s) in names for s in a.consumes)}


def rule_names_for_agents(agents: list[str]) -> list[str]:
    wanted = set(agents) | REPLY_PATH
    return [a.rule_name(s) for a in manifest().agents if a.name in wanted for s in a.consumes]


@lru_cache(maxsize=64)
def live_agents(replay_name: str) -> frozenset[str]:
    described = client("events").describe_replay(ReplayName=replay_name)
    filters = (described.get("Destination") or {}).get("FilterArns") or []
    targeted = agents_for_rules(filters) if filters else {a.name for a in manifest().agents}
    side_effects = {a.name for a in manifest().agents if a.side_effects}
    return frozenset((targeted | REPLY_PATH) - side_effects)
