"""The stack `aicc bench` measures, in a process of its own so the simulated customers do not
share its GIL: `python -m aicc.bench.serve --state-dir DIR` starts the embedded stack on free
ports and prints one line `READY_PREFIX {"url": ..., "info": ...}` when it accepts connections."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path

from aicc.bench import probe
from aicc.embedded.stack import EmbeddedStack, serve_stack

READY_PREFIX = "aicc-bench-stack ready "


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state-dir", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # A bench measures from empty tables and must not leave its load in the developer's kept data.
    stack = EmbeddedStack(port=0, moto_port=0, dynamodb_port=0, state_dir=args.state_dir, persist=False)
    probe.attach(stack)

    def ready(running: EmbeddedStack) -> None:
        print(READY_PREFIX + json.dumps({"url": running.websocket_url}), flush=True)

    asyncio.run(serve_stack(stack, ready))


if __name__ == "__main__":
    main()
