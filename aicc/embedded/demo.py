"""The embedded stack's demo sign-in: who can sign in without an identity provider.

Demo customers (the first few of the seeded customers, so their vehicles and history are there),
one member of staff of each of two dealerships, and OEM staff. Tokens are minted by the local
issuer (`aicc.runtime.auth.issue_token`); on AWS, Cognito's hosted UI signs people in instead.
"""

from __future__ import annotations

from typing import Any

from aicc.data.reference import dealers

DEMO_CUSTOMERS = 6
DEMO_DEALERSHIPS = ("dlr-harbor", "dlr-lakeside")
TOKEN_TTL_S = 8 * 3600


def demo_users() -> list[dict[str, Any]]:
    from aicc.seed import demo_customers

    customers = [
        {"user_id": c["customer_id"], "role": "customer", "name": c["name"], "dealer_id": None}
        for c in demo_customers()[:DEMO_CUSTOMERS]
    ]
    known = dealers()
    staff = [
        {
            "user_id": f"staff-{dealer_id}",
            "role": "dealer",
            "name": f"{known[dealer_id]['sales_staff'][0]}, {known[dealer_id]['name']}",
            "dealer_id": dealer_id,
        }
        for dealer_id in DEMO_DEALERSHIPS
        if dealer_id in known
    ]
    oem = [{"user_id": "oem-0001", "role": "oem_staff", "name": "Aurora Motors customer care", "dealer_id": None}]
    return customers + staff + oem


def demo_user(user_id: str) -> dict[str, Any] | None:
    return next((u for u in demo_users() if u["user_id"] == user_id), None)
