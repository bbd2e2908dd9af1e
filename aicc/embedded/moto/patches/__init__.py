"""Every patch the stand-in applies to moto, by service, in one registry (see aicc.embedded.moto.registry)."""

from __future__ import annotations

from aicc.embedded.moto.patches import core, dynamodb, events, httpserver, sqs
from aicc.embedded.moto.registry import PatchRegistry

PATCHES = PatchRegistry([*dynamodb.PATCHES, *events.PATCHES, *sqs.PATCHES, *core.PATCHES, *httpserver.PATCHES])
