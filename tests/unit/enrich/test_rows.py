"""digest.engine.rows: packed rows replaced, grown, searched; snapshot counts narrowed."""

from __future__ import annotations

import random
from array import array

from digest.engine.rows import Rows
from digest.engine.snapshot import _narrow


def test_replaced_grown_and_found_rows_are_the_rows_meant() -> None:
    rng = random.Random(1)
    for _ in range(500):
        rows = [[rng.randrange(300) for _ in range(rng.randrange(5))]
                for _ in range(rng.randrange(1, 12))]
        packed = Rows.build(rows)
        assert packed.valid(len(rows)) and [list(r) for r in packed] == rows
        changes = {i: [rng.randrange(70000 if rng.random() < 0.1 else 300)  # some widen
                       for _ in range(rng.randrange(5))]
                   for i in rng.sample(range(len(rows)), rng.randrange(len(rows) + 1))}
        new = packed.replaced(changes).grown(len(rows) + 2)
        want = [changes.get(i, r) for i, r in enumerate(rows)] + [[], []]
        assert [list(r) for r in new] == want and new.valid(len(want))
        wanted = set(rng.sample(range(300), rng.choice((1, 3, 30))))  # bytes.find, one pass
        assert [row for row, _ in new.find(wanted)] == [
            i for i, r in enumerate(want) for v in r if v in wanted]
        assert all(new.flat[k] in wanted for _, k in new.find(wanted))


def test_offsets_out_of_order_are_not_valid() -> None:
    assert not Rows(array("B", [0, 2, 1, 3]), array("B", [1, 2, 3])).valid(3)
    assert not Rows(array("B", [0, 2]), array("B", [1, 2, 3])).valid(1)


def test_counts_are_narrowed_only_when_they_fit() -> None:
    small = array("I", [1, 2, 255, 7])
    assert _narrow(small.tobytes()).typecode == "B"
    assert list(_narrow(small.tobytes())) == list(small)
    big = array("I", [1, 256, 70000, 3])
    assert _narrow(big.tobytes()).typecode == "I" and list(_narrow(big.tobytes())) == list(big)
