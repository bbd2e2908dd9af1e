"""Regenerate aicc/data/customers.json: the demo customers, their vehicles and some history.

Deterministic (fixed seed), so the committed file only changes when this script does.
Run: python scripts/make_demo_customers.py
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from aicc.data.vin import make_vin

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 1)

PEOPLE = [
    ("Ava Thompson", "en", 3),
    ("Liam Garcia", "es", 4),
    ("Sofia Rossi", "en", 2),
    ("Noah Williams", "en", 1),
    ("Mia Chen", "en", 3),
    ("Lucas Martin", "fr", 5),
    ("Emma Johnson", "en", 2),
    ("Mateo Hernandez", "es", 5),
    ("Olivia Brown", "en", 4),
    ("Ethan Nguyen", "en", 1),
    ("Isabella Lopez", "es", 3),
    ("James Wilson", "en", 2),
    ("Charlotte Davis", "en", 6),
    ("Benjamin Lee", "en", 2),
    ("Amelia Clark", "en", 1),
    ("Elijah Walker", "en", 4),
    ("Harper Young", "en", 3),
    ("Daniel Patel", "en", 5),
    ("Chloe Dubois", "fr", 2),
    ("Henry Anderson", "en", 2),
    ("Zoe Kowalski", "en", 1),
    ("Samuel Okafor", "en", 4),
]
MODELS = {
    "A": ("Aster", [2021, 2022, 2023, 2024, 2025], ["Aster S", "Aster SE", "Aster Hybrid"]),
    "B": ("Borealis", [2020, 2021, 2022, 2023, 2024, 2025], ["Borealis LX", "Borealis EX", "Borealis Plug-in Hybrid"]),
    "C": ("Cirrus", [2022, 2023, 2024, 2025], ["Cirrus Standard Range", "Cirrus Long Range", "Cirrus Dual Motor AWD"]),
    "D": ("Dune", [2023, 2024, 2025], ["Dune Work Truck", "Dune Trail"]),
}
DEALERS = ["dlr-north", "dlr-harbor", "dlr-lakeside"]
HISTORY = [
    ("service_booking", "Booked an oil change and tire rotation"),
    ("vehicle_feature_help", "Asked how to pair a phone over Bluetooth"),
    ("warranty_inquiry", "Asked whether the infotainment repair is under warranty"),
    ("complaint", "Complained about a long wait at the service desk"),
    ("connected_services", "Renewed the Aurora Connect subscription"),
    ("purchase_inquiry", "Asked about Borealis trims and prices"),
]


def main() -> None:
    rng = random.Random(20261101)
    customers = []
    serial = 100
    for index, (name, language, household) in enumerate(PEOPLE, start=1):
        vehicles = []
        for _ in range(1 if index % 5 else 2):
            code = rng.choice("ABCD")
            model, years, trims = MODELS[code]
            year = rng.choice(years)
            serial += rng.randint(1, 40)
            purchased = date(year, 1, 1) + timedelta(days=rng.randint(0, 300))
            age_years = max(0.2, (TODAY - purchased).days / 365)
            vehicles.append(
                {
                    "vin": make_vin(code, year, serial, plant=rng.choice("HK")),
                    "model": model,
                    "model_year": year,
                    "trim": rng.choice(trims),
                    "mileage": int(age_years * rng.randint(7000, 15000) // 100 * 100),
                    "mileage_unit": "mi",
                    "purchase_date": purchased.isoformat(),
                }
            )
        history = []
        for _ in range(rng.randint(0, 3)):
            intent, summary = rng.choice(HISTORY)
            history.append(
                {
                    "intent": intent,
                    "summary": summary,
                    "at": (TODAY - timedelta(days=rng.randint(10, 400))).isoformat(),
                    "channel": "chat",
                }
            )
        history.sort(key=lambda h: h["at"])
        customers.append(
            {
                "customer_id": f"cust-{index:04d}",
                "name": name,
                "email": f"{name.lower().replace(' ', '.')}@mail.example",
                "language": language,
                "preferred_dealer": DEALERS[index % len(DEALERS)],
                "marketing_consent": index % 3 != 0,
                "household_size": household,
                "segment": "family" if household >= 4 else ("single" if household == 1 else "couple"),
                "lifetime_spend": rng.randint(2, 60) * 250,
                "vehicles": vehicles,
                "history": history,
            }
        )
    out = ROOT / "aicc" / "data" / "customers.json"
    out.write_text(json.dumps(customers, indent=2) + "\n")
    print(f"wrote {len(customers)} customers to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
