"""TF-IDF vectors from cached term counts equal the ones counted from the text."""

from __future__ import annotations

import pickle
import random

from digest.site.enrich.textvec import compute_vectors, count_terms

WORDS = ("ferry pier harbour storm council budget market vendors school pupils "
         "bridge tunnel railway festival museum «quoted» naïve ёлка 2024").split()


def _docs(n: int, seed: int = 3) -> list[tuple[str, str]]:
    """Each document leans on its own few words, so that idf has contrast."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        own = rng.sample(WORDS, 4)
        words = rng.choices(own, k=rng.randint(0, 60)) + rng.choices(WORDS, k=10)
        docs.append((" ".join(rng.choices(own, k=3)).capitalize(), " ".join(words)))
    return docs


def test_counted_input_gives_the_same_vectors() -> None:
    docs = _docs(60)
    plain = compute_vectors(docs)
    # as the cache hands them back: pickled and unpickled, so no string is shared
    counted = [pickle.loads(pickle.dumps(count_terms(t, b))) for t, b in docs]
    assert compute_vectors(docs, counted=counted) == plain
    partly = [c if i % 3 else None for i, c in enumerate(counted)]  # some not cached
    assert compute_vectors(docs, counted=partly) == plain
    assert any(plain)


def test_count_terms_counts_the_headline_twice() -> None:
    terms, counts = count_terms("Ferry pier", "The ferry sails.")
    assert dict(zip(terms, counts, strict=True)) == {"ferry": 3, "pier": 2, "the": 1,
                                                      "sails": 1}


def test_packed_counts_come_back_equal_and_interned() -> None:
    import sys

    from digest.site.enrich.textvec import pack_counts, unpack_counts

    counted = [count_terms("Ferry pier", "The ferry sails."), None,
               count_terms("Pier", "A pier, a ferry and a pier.")]
    back = unpack_counts(pickle.loads(pickle.dumps(pack_counts(counted))))
    assert back[1] is None
    for want, got in zip(counted, back, strict=True):
        if want is not None:
            assert got is not None and got[0] == want[0] and list(got[1]) == list(want[1])
            assert all(t is sys.intern(t) for t in got[0])
