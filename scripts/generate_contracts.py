"""Regenerate contracts/schemas/*.json and contracts/manifest.json from the pydantic models."""

from __future__ import annotations

from contracts.schema_export import write_all

if __name__ == "__main__":
    changed = write_all()
    for path in changed:
        print(f"updated {path}")
    print(f"{len(changed)} file(s) changed")
