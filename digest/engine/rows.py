"""Rows of integers packed in two flat arrays (offsets + values, "CSR").

The persisted enrichment state (digest.engine.snapshot) holds per article a
few hundred term ids, counts, weights and positions: 10,000 small arrays or
lists unpickle slowly (an object each), two flat arrays load as fast as their
bytes can be copied.  An update replaces a few rows and copies the rest by
slices, which run in C.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, chain, compress, repeat
from operator import add

# Unsigned typecodes from narrow to wide: values are stored in the narrowest
# that holds them (term counts are mostly below 256, ids below 65,536).
_UNSIGNED = ("B", "H", "I", "Q")
FLOAT = "d"
ALLOWED = frozenset((*_UNSIGNED, "L", FLOAT))
# Above this many wanted values a single pass over the array beats one
# bytes.find scan per value (see find).
_FEW = 24


def typecode_for(top: int) -> str:
    """The narrowest unsigned typecode holding 0..``top``."""
    for code in _UNSIGNED:
        if top < 1 << (8 * array(code).itemsize):
            return code
    raise OverflowError(top)


def packed(values: Iterable[int], top: int | None = None) -> array[int]:
    """``values`` (non-negative) in the narrowest array that holds them."""
    values = values if isinstance(values, (list, array)) else list(values)
    if top is None:
        top = max(values, default=0)
    return array(typecode_for(top), values)


def widened(values: array[int], top: int) -> array[int]:
    """``values`` itself, or a copy in a typecode wide enough for ``top``."""
    code = typecode_for(top)
    if _UNSIGNED.index(code) <= _UNSIGNED.index(_unsigned(values.typecode)):
        return values
    return array(code, values)


def _unsigned(code: str) -> str:
    return "I" if code == "L" else code


class Rows:
    """Row ``i`` is ``flat[off[i]:off[i + 1]]``."""

    __slots__ = ("off", "flat")

    def __init__(self, off: array[int], flat: array) -> None:
        self.off = off
        self.flat = flat

    @classmethod
    def build(cls, rows: Iterable[Sequence[int] | Sequence[float]], floats: bool = False
              ) -> Rows:
        rows = rows if isinstance(rows, list) else list(rows)
        off = list(accumulate(map(len, rows), initial=0))
        flat = list(chain.from_iterable(rows))  # one pass in C, then one array
        return cls(packed(off, off[-1]), array(FLOAT, flat) if floats else packed(flat))

    def __len__(self) -> int:
        return len(self.off) - 1

    def __getitem__(self, i: int) -> array:
        return self.flat[self.off[i]:self.off[i + 1]]

    def __iter__(self) -> Iterator[array]:
        off, flat = self.off, self.flat
        return map(flat.__getitem__, map(slice, off, off[1:]))

    def valid(self, rows: int | None = None) -> bool:
        """Offsets that fit ``rows`` rows (None: any number) and the flat array
        (a damaged state must be refused before anything is read from it)."""
        off = self.off
        return (isinstance(off, array) and isinstance(self.flat, array)
                and off.typecode in ALLOWED and self.flat.typecode in ALLOWED
                and len(off) == (len(off) if rows is None else rows + 1) and len(off) > 0
                and off[0] == 0 and off[-1] == len(self.flat)
                and off == array(off.typecode, sorted(off)))  # ascending (sorted: in C)

    def valid_like(self, other: Rows) -> bool:
        """Offsets equal to those of ``other`` (already :meth:`valid`), and the
        flat array they fit: the rows of a pair (ids and weights, say)."""
        return (isinstance(self.off, array) and isinstance(self.flat, array)
                and self.flat.typecode in ALLOWED and self.off == other.off
                and len(self.flat) == len(other.flat))

    def grown(self, rows: int) -> Rows:
        """A copy with empty rows added up to ``rows`` rows."""
        if rows <= len(self):
            return self
        off = array(self.off.typecode, self.off)
        off.extend(repeat(off[-1], rows - len(self)))
        return Rows(off, self.flat)

    def replaced(self, changes: Mapping[int, Sequence[int] | Sequence[float]]) -> Rows:
        """A copy with the rows in ``changes`` replaced (row i -> its new values)."""
        if not changes:
            return self
        off, flat = self.off, self.flat
        floats = flat.typecode == FLOAT
        if not floats:
            flat = widened(flat, max(max(v, default=0) for v in changes.values()))
        parts = array(flat.typecode)
        new_off = array("Q")
        start = 0  # first row not yet copied
        shift = 0  # how much longer the new flat array is so far
        for row in sorted(changes):
            new_off.extend(map(add, off[start:row + 1], repeat(shift)))
            parts.extend(flat[off[start]:off[row]])
            values = changes[row]
            _extend(parts, values)
            shift += len(values) - (off[row + 1] - off[row])
            start = row + 1
        new_off.extend(map(add, off[start:], repeat(shift)))
        parts.extend(flat[off[start]:])
        return Rows(packed(new_off, len(parts)), parts)

    def find(self, wanted: set[int]) -> list[tuple[int, int]]:
        """``(row, index into flat)`` of every value in ``wanted``, in flat order."""
        flat, off = self.flat, self.off
        if not wanted or not flat:
            return []
        if len(wanted) > _FEW:
            hits: Iterable[int] = compress(range(len(flat)), map(wanted.__contains__, flat))
        else:
            hits = sorted(_scan(flat, wanted))
        return [(bisect_right(off, k) - 1, k) for k in hits]


def _extend(target: array, values: Sequence[int] | Sequence[float]) -> None:
    if isinstance(values, array) and values.typecode != target.typecode:
        values = values.tolist()
    target.extend(values)


def _scan(flat: array, wanted: set[int]) -> Iterator[int]:
    """Indexes of the values in ``wanted``: bytes.find runs at memory speed."""
    size = flat.itemsize
    data = flat.tobytes()
    for value in wanted:
        if value < 0 or value >= 1 << (8 * size):
            continue
        needle = array(flat.typecode, [value]).tobytes()
        at = data.find(needle)
        while at >= 0:
            if at % size == 0:
                yield at // size
                at = data.find(needle, at + size)
            else:  # straddles two values: look again from the next boundary
                at = data.find(needle, at + size - at % size)
