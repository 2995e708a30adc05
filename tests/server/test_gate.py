"""The body gate: at most `slots` requests with a body run at once, none while it waits to read."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from backend.server.gate import BodyGate, has_body


def in_thread(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_a_request_past_the_slots_waits_until_one_is_free() -> None:
    gate = BodyGate(slots=1)
    first_in, first_may_leave, second_in = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with gate.turn():
            first_in.set()
            first_may_leave.wait(10)

    def second() -> None:
        with gate.turn():
            second_in.set()

    in_thread(first)
    assert first_in.wait(10)
    waiter = in_thread(second)
    assert not second_in.wait(0.2)  # the one slot is taken
    first_may_leave.set()
    assert second_in.wait(10)
    waiter.join(10)


def test_waiting_for_the_network_gives_the_slot_to_another_request() -> None:
    gate = BodyGate(slots=1)
    reading, bytes_arrive, second_in, first_done = (threading.Event() for _ in range(4))
    order: list[str] = []

    def network_read() -> bytes:
        reading.set()
        bytes_arrive.wait(10)
        return b"data"

    def first() -> None:
        with gate.turn():
            assert gate.waiting(network_read) == b"data"
            order.append("first goes on")
        first_done.set()

    def second() -> None:
        with gate.turn():
            second_in.set()
            order.append("second")
            bytes_arrive.set()  # the first's bytes come while the second holds the slot
            # The first cannot go on before the slot is free again.
            assert not first_done.wait(0.2)

    in_thread(first)
    assert reading.wait(10)
    in_thread(second)
    assert second_in.wait(10)
    assert first_done.wait(10)
    assert order == ["second", "first goes on"]


def test_a_read_that_fails_takes_the_slot_back_for_the_error_answer() -> None:
    gate = BodyGate(slots=1)
    other_in = threading.Event()

    def cut() -> bytes:
        raise OSError("the client went away")

    def other() -> None:
        with gate.turn():
            other_in.set()

    with gate.turn():
        with pytest.raises(OSError):
            gate.waiting(cut)
        thread = in_thread(other)
        assert not other_in.wait(0.2)  # the error answer runs with the slot held
    assert other_in.wait(10)  # and leaving gives it back (once: the semaphore is bounded)
    thread.join(10)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"CONTENT_LENGTH": "0"}, False),
        ({"CONTENT_LENGTH": "12"}, True),
        ({"HTTP_TRANSFER_ENCODING": "chunked"}, True),
        ({"CONTENT_LENGTH": "x"}, True),
    ],
)
def test_which_requests_have_a_body(environ: dict[str, str], expected: bool) -> None:
    assert has_body(environ) is expected
