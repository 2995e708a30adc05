"""Connections spread evenly over the web workers, however they arrive.

gunicorn's workers share one listening socket (with reuse_port too: the socket is made once, in
the master). Whichever worker's event loop wakes first accepts, and an idle worker wakes first:
400 phones connecting at once all landed on one worker (6000 of 6000 requests), and since phones
keep their connection alive they stayed there, with one GIL serving everything while the other
worker idled.

So each worker publishes how many connections it holds in a table shared by all workers (an
anonymous shared memory map made by the master before it forks), and accepts only while it holds
no more than the least loaded peer (plus an eighth, so a busy peer that is slow to accept does
not leave new connections waiting). The least loaded worker always accepts, so a connection is
never left without a taker; a worker that stops, or has not started, counts as absent.
"""

from __future__ import annotations

import mmap
import struct

MAX_WORKERS = 64
ABSENT = -1
_SLOT = struct.Struct("q")


class ConnectionShares:
    """The table: one signed 64-bit count per worker slot, ABSENT when no worker holds it.

    Entry 0 holds how many slots were ever handed out, so a look reads only those.
    """

    def __init__(self, slots: int = MAX_WORKERS) -> None:
        # Anonymous and shared: the workers forked after this see one table.
        self._map = mmap.mmap(-1, (slots + 1) * _SLOT.size)
        self._table = memoryview(self._map).cast("q")
        self._counts = self._table[1:]
        self._table[0] = 0
        for slot in range(slots):
            self._counts[slot] = ABSENT

    def free_slot(self, taken: set[int]) -> int:
        """A slot for a worker about to be forked (called in the master)."""
        slot = next(i for i in range(len(self._counts)) if i not in taken)
        self._counts[slot] = ABSENT
        self._table[0] = max(self._table[0], slot + 1)
        return slot

    def publish(self, slot: int, connections: int) -> None:
        self._counts[slot] = connections

    def may_accept(self, slot: int, connections: int) -> bool:
        counts = self._counts[: self._table[0]].tolist()
        counts[slot] = ABSENT
        peers = [count for count in counts if count != ABSENT]
        if not peers:
            return True
        least = min(peers)
        return connections <= least + least // 8


_shares: ConnectionShares | None = None


def install() -> ConnectionShares:
    """Make the table in the master, before the first fork (gunicorn.conf.py's on_starting)."""
    global _shares
    if _shares is None:
        _shares = ConnectionShares()
    return _shares


def shares() -> ConnectionShares | None:
    """The table, in a worker forked after install(); None when the server did not make one."""
    return _shares
