"""The backlog of polls handed to a worker's threads (backend/server/backlog.py)."""

from __future__ import annotations

import threading

from backend.server.backlog import Backlog


def test_a_poll_is_refused_only_when_its_wait_in_time_would_pass_the_bound() -> None:
    backlog = Backlog(max_wait_s=0.05, turns=2)
    backlog.per_poll_s = 0.01  # as measured: the process takes 10 ms per poll
    tickets = [backlog.hand_over() for _ in range(5)]
    assert not backlog.behind()  # five ahead: 50 ms, within the bound
    tickets.append(backlog.hand_over())
    assert backlog.behind()  # six: 60 ms
    for ticket in tickets:
        ticket.leave(served=False)
    # However slow a poll is, with a turn free there is no queue: a lone poll is served.
    backlog.per_poll_s = 10.0
    lone = backlog.hand_over()
    assert not backlog.behind()
    lone.leave(served=False)


def test_the_time_per_poll_is_measured_as_served_polls_leave() -> None:
    backlog = Backlog(max_wait_s=0.05, turns=2)
    before = backlog.per_poll_s
    for _ in range(200):
        ticket = backlog.hand_over()
        assert ticket.take_turn()
        ticket.leave(served=True)
    assert backlog.per_poll_s < before  # microseconds each here, not the 2 ms first guess
    backlog.per_poll_s = before
    refused = backlog.hand_over()
    refused.leave(served=False)  # a refusal says nothing of what a poll costs
    assert backlog.per_poll_s == before
    assert backlog.waiting == 0


def test_a_poll_waits_for_a_turn_only_until_the_bound() -> None:
    backlog = Backlog(max_wait_s=0.05, turns=1)
    first = backlog.hand_over()
    assert first.take_turn()
    late = backlog.hand_over()
    assert not late.take_turn()  # the only turn stayed taken past 50 ms: refuse it
    late.leave(served=False)
    # A turn given back goes to the poll waiting for it.
    waiting = backlog.hand_over()
    backlog.max_wait_s = 30.0
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(waiting.take_turn()))
    waiter.start()
    first.leave(served=True)
    first.leave(served=True)  # only the first call counts
    waiter.join(10)
    assert got == [True]
    waiting.leave(served=True)
    assert backlog.waiting == 0
