"""Each conversation of a dialog suite starts from a clean customer, as a QA team's fixtures do: the
runner cancels what a conversation booked at its end. The demo customers book in several
conversations of one run; without this, a later conversation met the booking cap
(aicc.agents.booking_limits) on an earlier conversation's appointments, or was asked which of
them it meant. Only the conversation's own bookings are released: nothing else of the stack's data
changes, and the cap and the conversations' expectations stay as they are.
"""

from __future__ import annotations

from aicc.ports.appointments import Appointments


def release_bookings(appointments: Appointments, customer_id: str, conversation_id: str) -> int:
    """Cancel every appointment the conversation holds for the customer; how many were released."""
    released = 0
    for booking in appointments.of_customer(customer_id):
        if booking.conversation_id == conversation_id:
            released += appointments.release(booking.slot_id, booking.appointment.appointment_id)
    return released
