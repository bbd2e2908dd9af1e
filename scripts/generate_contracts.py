"""Regenerate contracts/schemas/*.json, contracts/manifest.json and terraform/*.json from the
pydantic models and the table definitions."""

from __future__ import annotations

from aicc.runtime.tables import TABLES
from contracts.schema_export import write_all

if __name__ == "__main__":
    changed = write_all(TABLES)
    for path in changed:
        print(f"updated {path}")
    print(f"{len(changed)} file(s) changed")
