"""Appointments on DynamoDB: one item per held slot, keyed by `slot_id`; `by_customer` indexes
(customer_id, start) with `start` in UTC so the index sorts by time whatever the dealer's zone.

A limited hold (`within`) also keeps one *holder* item per customer (`slot_id` = `holder#<customer>`,
no `customer_id`, so the index never lists it): the slots that customer's limited holds took and a
version. The limit is checked against those slots as read (consistently) and the hold is one
transaction with a version check on the holder item: of two concurrent holds, one lands and the
other reads again. Releases do not touch it; the slots read are checked against their items.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from aicc.adapters.dynamodb.attributes import Item, required_text, s, strings, text
from aicc.adapters.dynamodb.table import TableAdapter
from aicc.ports.appointments import Booking, OverLimit, Within
from contracts.events import Appointment, Slot

_BATCH_GET_KEYS = 100
_LIMITED_HOLD_ATTEMPTS = 8


class DynamoAppointments(TableAdapter):
    TABLE = "appointments"

    def hold(self, booking: Booking, *, within: Within | None = None) -> Booking | None:
        if within is not None:
            return self._limited_hold(booking, within)
        dynamodb = self._client()
        try:
            dynamodb.put_item(
                TableName=self._table_name(),
                Item=_item(booking),
                ConditionExpression="attribute_not_exists(slot_id)",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            existing = self.get(booking.slot_id)
            return existing if existing is not None and existing.customer_id == booking.customer_id else None
        return booking

    def _limited_hold(self, booking: Booking, within: Within) -> Booking | None:
        dynamodb = self._client()
        table = self._table_name()
        holder_key = {"slot_id": s(f"holder#{booking.customer_id}")}
        for _ in range(_LIMITED_HOLD_ATTEMPTS):
            existing = self.get(booking.slot_id)
            if existing is not None:  # ours already (a retry), whatever the limit, or someone else's
                return existing if existing.customer_id == booking.customer_id else None
            holder = dynamodb.get_item(TableName=table, Key=holder_key, ConsistentRead=True).get("Item", {})
            version = int(holder.get("version", {}).get("N", "0"))
            open_bookings = self._open(booking, [v["S"] for v in holder.get("slots", {}).get("L", [])])
            if not within(open_bookings):
                raise OverLimit(open_bookings)
            slots = [b.slot_id for b in open_bookings] + [booking.slot_id]
            try:
                dynamodb.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": table,
                                "Item": _item(booking),
                                "ConditionExpression": "attribute_not_exists(slot_id)",
                            }
                        },
                        {
                            "Update": {
                                "TableName": table,
                                "Key": holder_key,
                                "UpdateExpression": "SET version = :next, slots = :slots",
                                "ConditionExpression": "attribute_not_exists(version) OR version = :seen"
                                if version == 0
                                else "version = :seen",
                                "ExpressionAttributeValues": {
                                    ":next": {"N": str(version + 1)},
                                    ":seen": {"N": str(version)},
                                    ":slots": {"L": [s(slot) for slot in slots]},
                                },
                            }
                        },
                    ]
                )
            except dynamodb.exceptions.TransactionCanceledException:
                continue  # the slot was taken or another hold of this customer landed: read again
            return booking
        raise RuntimeError(f"could not hold {booking.slot_id}: too many concurrent holds; retry")

    def _open(self, booking: Booking, slot_ids: list[str]) -> list[Booking]:
        """The customer's open bookings among those slots (released or past ones drop out), and any the
        index lists (bookings held without a limit)."""
        listed = [b.slot_id for b in self.of_customer(booking.customer_id, starting_from=booking.booked_at)]
        found = [self.get(slot_id) for slot_id in dict.fromkeys([*slot_ids, *listed])]
        earliest = utc_key(booking.booked_at)
        mine = [
            b
            for b in found
            if b is not None and b.customer_id == booking.customer_id and utc_key(b.appointment.slot.start) >= earliest
        ]
        return sorted(mine, key=lambda b: (utc_key(b.appointment.slot.start), b.slot_id))

    def release(self, slot_id: str, appointment_id: str) -> bool:
        dynamodb = self._client()
        try:
            dynamodb.delete_item(
                TableName=self._table_name(),
                Key={"slot_id": s(slot_id)},
                ConditionExpression="appointment_id = :a",
                ExpressionAttributeValues={":a": s(appointment_id)},
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def get(self, slot_id: str) -> Booking | None:
        response = self._client().get_item(
            TableName=self._table_name(), Key={"slot_id": s(slot_id)}, ConsistentRead=True
        )
        item = response.get("Item")
        return _booking(item) if item is not None else None

    def held(self, slot_ids: Iterable[str]) -> set[str]:
        dynamodb = self._client()
        table = self._table_name()
        ids = list(dict.fromkeys(slot_ids))  # BatchGetItem refuses duplicate keys
        found: set[str] = set()
        for first in range(0, len(ids), _BATCH_GET_KEYS):
            request: dict[str, Any] = {
                table: {
                    "Keys": [{"slot_id": s(slot_id)} for slot_id in ids[first : first + _BATCH_GET_KEYS]],
                    "ProjectionExpression": "slot_id",
                }
            }
            while request:
                response = dynamodb.batch_get_item(RequestItems=request)
                found.update(required_text(item, "slot_id") for item in response.get("Responses", {}).get(table, []))
                request = response.get("UnprocessedKeys") or {}
        return found

    def of_customer(self, customer_id: str, *, starting_from: datetime | None = None) -> list[Booking]:
        query: dict[str, Any] = {
            "TableName": self._table_name(),
            "IndexName": "by_customer",
            "KeyConditionExpression": "customer_id = :c",
            "ExpressionAttributeValues": {":c": s(customer_id)},
        }
        if starting_from is not None:
            query["KeyConditionExpression"] += " AND #start >= :from"
            query["ExpressionAttributeNames"] = {"#start": "start"}
            query["ExpressionAttributeValues"][":from"] = s(utc_key(starting_from))
        dynamodb = self._client()
        bookings: list[Booking] = []
        while True:
            response = dynamodb.query(**query)
            bookings.extend(_booking(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return bookings
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def utc_key(moment: datetime) -> str:
    """The index's sort key: one fixed format, in UTC, so strings sort as times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _item(booking: Booking) -> Item:
    appointment = booking.appointment
    slot = appointment.slot
    values = {
        "slot_id": slot.slot_id,
        "appointment_id": appointment.appointment_id,
        "customer_id": booking.customer_id,
        "conversation_id": booking.conversation_id,
        "turn_id": booking.turn_id,
        "kind": appointment.kind,
        "dealer_id": slot.dealer_id,
        "start": utc_key(slot.start),
        "start_local": slot.start.isoformat(),
        "status": appointment.status,
        "booked_at": booking.booked_at.isoformat(),
    }
    optional = {"bay": slot.bay, "service_type": appointment.service_type, "vin": appointment.vin}
    optional["model"] = appointment.model
    values.update({name: value for name, value in optional.items() if value})
    return strings(values)


def _booking(item: Item) -> Booking:
    appointment = Appointment(
        appointment_id=required_text(item, "appointment_id"),
        kind=required_text(item, "kind"),
        slot=Slot(
            slot_id=required_text(item, "slot_id"),
            dealer_id=required_text(item, "dealer_id"),
            start=datetime.fromisoformat(required_text(item, "start_local")),
            bay=text(item, "bay") or None,
        ),
        service_type=text(item, "service_type") or None,
        vin=text(item, "vin") or None,
        model=text(item, "model") or None,
        status=required_text(item, "status"),
    )
    return Booking(
        appointment=appointment,
        customer_id=required_text(item, "customer_id"),
        conversation_id=text(item, "conversation_id") or "",
        turn_id=text(item, "turn_id") or "",
        booked_at=datetime.fromisoformat(required_text(item, "booked_at")),
    )
