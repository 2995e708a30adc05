"""The backlog of polls handed to a worker's threads (backend/server/backlog.py)."""

from __future__ import annotations

import threading

from backend.server.backlog import Backlog, Turns
from tests.helpers import wait_for


def test_a_poll_is_refused_only_when_its_wait_in_time_would_pass_the_bound() -> None:
    backlog = Backlog(max_wait_s=0.05, turns=2)
    backlog.per_poll_s = 0.01  # as measured: the process takes 10 ms per poll
    tickets = [backlog.hand_over() for _ in range(5)]
    assert not backlog.behind()  # five ahead: 50 ms, within the bound
    tickets.append(backlog.hand_over())
    assert backlog.behind()  # six: 60 ms
    for ticket in tickets:
        ticket.leave()
    # However slow a poll is, with a turn free there is no queue: a lone poll is served.
    backlog.per_poll_s = 10.0
    lone = backlog.hand_over()
    assert not backlog.behind()
    lone.leave()


def test_the_time_per_poll_is_measured_as_served_polls_leave() -> None:
    backlog = Backlog(max_wait_s=0.05, turns=2)
    before = backlog.per_poll_s
    for _ in range(200):
        ticket = backlog.hand_over()
        assert ticket.take_turn()
        ticket.answered(served=True, answer_may_wait=False)
        ticket.leave()
    assert backlog.per_poll_s < before  # microseconds each here, not the 2 ms first guess
    backlog.per_poll_s = before
    refused = backlog.hand_over()
    refused.answered(served=False, answer_may_wait=False)
    refused.leave()  # a refusal says nothing of what a poll costs
    assert backlog.per_poll_s == before
    assert backlog.waiting == 0


def test_a_poll_waits_for_a_turn_only_until_the_bound() -> None:
    backlog = Backlog(max_wait_s=0.05, turns=1)
    first = backlog.hand_over()
    assert first.take_turn()
    late = backlog.hand_over()
    assert not late.take_turn()  # the only turn stayed taken past 50 ms: refuse it
    late.leave()
    # A turn given back goes to the poll waiting for it.
    waiting = backlog.hand_over()
    backlog.max_wait_s = 30.0
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(waiting.take_turn()))
    waiter.start()
    first.answered(served=True, answer_may_wait=True)  # a file: the turn goes on at once
    first.leave()  # only the first leave counts
    waiter.join(10)
    assert got == [True]
    waiting.leave()
    assert backlog.waiting == 0


def test_a_turn_is_kept_until_an_answer_that_cannot_wait_is_written() -> None:
    backlog = Backlog(max_wait_s=0.01, turns=1)
    poll = backlog.hand_over()
    assert poll.take_turn()
    poll.answered(served=True, answer_may_wait=False)  # a small answer, an empty socket buffer
    next_one = backlog.hand_over()
    assert not next_one.take_turn()  # still the first poll's, while its answer is written
    next_one.leave()
    poll.leave()
    last = backlog.hand_over()
    assert last.take_turn()
    last.leave()


def test_a_turn_given_back_goes_to_the_poll_that_waited_longest() -> None:
    turns = Turns(1)
    assert turns.acquire(0)
    order: list[int] = []
    done = threading.Event()

    def wait(n: int) -> None:
        if turns.acquire(30):
            order.append(n)
            done.wait(30)
            turns.release()

    threads = [threading.Thread(target=wait, args=(n,)) for n in (1, 2)]
    for n, thread in enumerate(threads, 1):
        thread.start()
        wait_for(lambda n=n: len(turns._waiters) == n, what=f"poll {n} to wait for a turn")
    turns.release()
    wait_for(lambda: order == [1], what="the first waiter to get the turn")
    # A newcomer does not pass the poll still waiting.
    assert not turns.acquire(0)
    done.set()
    for thread in threads:
        thread.join(10)
    assert order == [1, 2]
