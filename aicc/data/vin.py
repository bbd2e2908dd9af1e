"""VINs of Aurora Motors vehicles: check digit and decoding to model and model year.

Position 1-3 WMI (`5AR`), 4 the model code from the catalog, 9 the ISO 3779 check digit, 10 the
standard model-year code, 11 the plant, 12-17 the serial number.
"""

from __future__ import annotations

from dataclasses import dataclass

from aicc.data.reference import catalog

_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
YEAR_CODES = {2018: "J", 2019: "K", 2020: "L", 2021: "M", 2022: "N", 2023: "P", 2024: "R", 2025: "S", 2026: "T"}
_YEAR_BY_CODE = {code: year for year, code in YEAR_CODES.items()}


def check_digit(vin: str) -> str:
    total = sum(_TRANSLITERATION[c] * w for c, w in zip(vin.upper(), _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def make_vin(model_code: str, year: int, serial: int, plant: str = "H", attributes: str = "X1E2") -> str:
    draft = f"5AR{model_code}{attributes}0{YEAR_CODES[year]}{plant}{serial:06d}"
    return draft[:8] + check_digit(draft) + draft[9:]


@dataclass(frozen=True)
class DecodedVin:
    vin: str
    model: str
    model_year: int


def decode(vin: str) -> DecodedVin | None:
    """Model and year of one of our VINs; None for a foreign, malformed or mistyped VIN."""
    vin = vin.strip().upper()
    if len(vin) != 17 or any(c not in _TRANSLITERATION for c in vin) or not vin.startswith(str(catalog()["wmi"])):
        return None
    if check_digit(vin) != vin[8]:
        return None
    year = _YEAR_BY_CODE.get(vin[9])
    models = {m["code"]: m["name"] for m in catalog()["models"]}
    model = models.get(vin[3])
    if year is None or model is None:
        return None
    return DecodedVin(vin=vin, model=model, model_year=year)
