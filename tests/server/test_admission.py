"""The admission gate: a request is refused at once when its wait would pass the bound."""

from __future__ import annotations

import threading

from backend.server.admission import Admission, gated


def test_a_free_slot_admits_and_a_full_queue_refuses_at_once() -> None:
    admission = Admission(max_wait_s=0.05, slots=2)
    admission.service_s = 0.04  # as measured: 40 ms in a slot
    assert admission.enter() and admission.enter()  # both slots taken
    # One more would wait (1 x 40 ms / 2 slots = 20 ms): it waits and gets the first free slot.
    admitted: list[bool] = []
    waiter = threading.Thread(target=lambda: admitted.append(admission.enter()))
    waiter.start()
    admission.leave(0.04)
    waiter.join(5)
    assert admitted == [True]
    # Two in the queue would wait 40 ms; three, 60 ms: past the bound, refused without waiting.
    admission._waiting = 2
    assert admission.enter() is False


def test_a_request_that_already_waited_past_the_bound_is_refused_while_the_slots_are_busy() -> None:
    admission = Admission(max_wait_s=0.1, slots=1)
    assert admission.enter(waited_s=0.2) is True  # nothing queued: a slow machine, answered
    assert admission.enter(waited_s=0.2) is False  # behind, with work queued: refused
    admission.leave(0.001)
    assert admission.enter(waited_s=0.05) is True


def test_health_long_polls_and_streams_are_not_gated() -> None:
    assert not gated({"PATH_INFO": "/api/health"})
    assert not gated({"PATH_INFO": "/api/jobs/x/events"})
    assert not gated({"PATH_INFO": "/api/jobs/x", "HTTP_PREFER": "wait=10"})
    assert gated({"PATH_INFO": "/api/jobs/x"})
