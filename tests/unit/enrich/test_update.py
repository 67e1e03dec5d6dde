"""digest.engine.update: the snapshot updated edit after edit gives exactly what
a full recomputation (digest.site.enrich.site_values) gives, every field of every
article, and a snapshot equal to the one the full pass leaves.

Sites come from the shared benchmark generator (make_corpus.py), parsed by
digest itself, with a vocabulary (places, topics), clippings with mentions,
pins and exclusions, and several agencies, so that stories form.  Random
edits (seeded): body appended to or a word replaced, title, tags, a
vocabulary term appearing or disappearing, pins, source, mentions, several
articles at once; and the ones the update must refuse (a date, a slug, an
article added or deleted), after which the full pass takes over.
"""

from __future__ import annotations

import pickle
import random
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.engine.cache import BuildCache
from digest.engine.parsing import parse_all
from digest.engine.revector import term_vector_of, vector_of
from digest.engine.snapshot import Keeper, Snapshot
from digest.engine.update import Stale, edited_since, update_site
from digest.engine.workers import Workers
from digest.site import enrich
from digest.site.config import SiteConfig, load_config
from digest.site.enrich import SITE_FIELDS, site_values
from digest.site.model.urls import assign_urls, permalink
from digest.site.recordcopy import evolve
from digest.site.records import Article, Mention
from digest.site.work import SERIAL
from tests.tools import shared_file

NOW = datetime(2025, 1, 1, tzinfo=UTC)
AGENCIES = ("Lake Wire", "Harbour Courier", "Valley Press", "Orchard Street Journal")


def _make_corpus() -> Path:
    # The shared benchmark generator: skipped in a plain clone, required in CI
    # (tests.tools.shared_file), like the tests marked `shared`.
    return shared_file("bench/make_corpus.py")


@dataclass
class World:
    """A site in memory, edited step by step: what enrich_site would be given."""

    config: SiteConfig
    arts: list[Article]
    tags: list[Any]
    local: list[tuple[Any, ...]]
    counted: list[Any]
    rng: random.Random
    serial: int = 0
    words: list[str] = field(default_factory=list)

    def remake(self, i: int, art: Article) -> None:
        """Article ``i`` is now ``art`` (URL, local fields and counts recomputed;
        a slug that would collide made unique, as a real build requires)."""
        art = evolve(art, {"url": permalink(art, self.config)})
        if any(a.url == art.url for k, a in enumerate(self.arts) if k != i):
            art = evolve(art, {"slug": f"{art.slug}-{self.serial}"})
            art = evolve(art, {"url": permalink(art, self.config)})
        (fields, counts), = enrich.local_work((art,), self.config)
        self.arts[i], self.local[i], self.counted[i] = art, fields, counts
        self.serial += 1
        self.tags[i] = ("edit", self.serial)

    def insert(self, i: int, art: Article) -> None:
        self.arts.insert(i, art)
        self.tags.insert(i, None)
        self.local.insert(i, ())
        self.counted.insert(i, None)
        self.remake(i, art)

    def delete(self, i: int) -> None:
        for column in (self.arts, self.tags, self.local, self.counted):
            del column[i]

    @property
    def terms(self) -> list[Any]:
        return [f[0] for f in self.local]


def load_world(tmp: Path, articles: int, seed: int) -> World:
    site = tmp / f"site-{articles}-{seed}"
    content = site / "content"
    subprocess.run([sys.executable, str(_make_corpus()), str(content), "--articles",
                    str(articles), "--seed", str(seed), "--quiet", "--force"], check=True)
    titles = [p.read_text(encoding="utf-8").split('title: "', 1)[1].split('"', 1)[0]
              for p in sorted(content.glob("*.md"))[:40]]
    places = sorted({t.split()[0] for t in titles})[:12]
    topics = sorted({t.split()[1].lower() for t in titles if len(t.split()) > 1})[:8]
    (site / "digest.yaml").write_text(
        "title: Test\nstory_threshold: 0.35\ntaxonomies:\n"
        "  places:\n    terms: [" + ", ".join(places) + "]\n"
        "  topics:\n    min_mentions: 2\n    terms:\n"
        + "".join(f"      - {{label: {t.capitalize()}, aliases: [{t}]}}\n" for t in topics),
        encoding="utf-8")
    config = load_config(site)
    parsed = parse_all(site, config, NOW, [], jobs=1,
                       cache=BuildCache(site, "test", enabled=False))
    arts = list(assign_urls(sorted(parsed, key=lambda a: a.key), config))
    rng = random.Random(seed)
    for i in rng.sample(range(len(arts)), len(arts) // 4):  # several agencies report
        arts[i] = evolve(arts[i], {"source": rng.choice(AGENCIES)})
    for i in rng.sample(range(len(arts)), len(arts) // 20):  # clippings that mention others
        named = rng.sample(arts, 3)
        arts[i] = evolve(arts[i], {"kind": "clipping", "mentions": tuple(
            Mention(title=a.title, date=None if k else a.date) for k, a in enumerate(named))})
    for i in rng.sample(range(len(arts)), len(arts) // 30):  # pins and exclusions
        arts[i] = evolve(arts[i], {"related_pins": (rng.choice(arts).slug, "no-such-slug"),
                                   "related_exclude": (rng.choice(arts).slug,)})
    done = enrich.local_work(tuple(arts), config)
    world = World(config, arts, [("src", i) for i in range(len(arts))],
                  [f for f, _ in done], [c for _, c in done], rng)
    world.words = sorted({w for a in arts[:60] for w in a.body.split() if w.isalpha()})
    world.words += places + topics
    return world


def tiny_world(tmp: Path, seed: int) -> World:
    """A few dozen articles of a small vocabulary, days apart or at the same
    minute: short posting lists (read whole), ties, lists crossing
    2·WINDOW+1, fewer than MIN_DOCS_FOR_MAX_DF articles."""
    rng = random.Random(seed)
    vocab = ["ferry", "pier", "harbour", "storm", "council", "budget", "market", "vendors",
             "school", "pupils", "bridge", "tunnel", "railway", "festival", "museum"]
    site = tmp / f"tiny-{seed}"
    site.mkdir()
    (site / "digest.yaml").write_text(
        "title: Tiny\nstory_threshold: 0.3\ntaxonomies:\n  topics:\n    terms: "
        "[Ferry, Storm, Market, Bridge]\n", encoding="utf-8")
    config = load_config(site)
    base = datetime(2024, 5, 1, 8, tzinfo=UTC)
    arts = []
    for i in range(rng.randint(6, 60)):
        words = rng.sample(vocab, 4)
        body = " ".join(rng.choice(words) for _ in range(rng.randint(3, 40)))
        title = " ".join(rng.sample(words, 2)).capitalize()
        date = base + timedelta(hours=rng.choice((0, 0, 5, 30, 70, 200)) * rng.randint(0, 6))
        arts.append(Article(
            path=Path(f"content/t{i:03d}.md"), kind="markdown", title=title, date=date,
            slug=f"t{i:03d}" if rng.random() < 0.9 else "twin", body=body,
            tags=tuple(rng.sample(["a", "b", "c", "d"], rng.randint(0, 2))),
            source=rng.choice(AGENCIES[:3]),
            related_pins=(f"t{rng.randrange(60):03d}",) if rng.random() < 0.1 else ()))
    arts = list(assign_urls(arts, config))
    seen: set[str] = set()
    for i, art in enumerate(arts):  # a second "twin" on one day: another slug
        if art.url in seen:
            arts[i] = art = evolve(art, {"slug": f"t{i:03d}", "url": art.url.replace(
                "/twin/", f"/t{i:03d}/")})
        seen.add(art.url)
    done = enrich.local_work(tuple(arts), config)
    world = World(config, arts, [("src", i) for i in range(len(arts))],
                  [f for f, _ in done], [c for _, c in done], rng)
    world.words = [*vocab, "Ferry", "Storm"]
    return world


# ------------------------------------------------------------------ edits

def _para(w: World, art: Article) -> str:
    own = [x for x in art.body.split() if x.isalpha()] or w.words
    pool = own if w.rng.random() < 0.5 else w.words
    return " ".join(w.rng.choice(pool) for _ in range(w.rng.randint(3, 25))) + "."


def edit_append(w: World, i: int) -> None:
    a = w.arts[i]
    w.remake(i, evolve(a, {"body": f"{a.body}\n\n{_para(w, a)}"}))


def edit_replace_word(w: World, i: int) -> None:
    a = w.arts[i]
    parts = a.body.split(" ")
    parts[w.rng.randrange(len(parts))] = w.rng.choice(w.words)
    w.remake(i, evolve(a, {"body": " ".join(parts)}))


def edit_title(w: World, i: int) -> None:
    a = w.arts[i]
    other = w.rng.choice(w.arts)  # sometimes a headline another article has (mentions)
    title = other.title if w.rng.random() < 0.3 else f"{a.title} {w.rng.choice(w.words)}"
    w.remake(i, evolve(a, {"title": title}))


def edit_tags(w: World, i: int) -> None:
    a = w.arts[i]
    tags = set(a.tags) ^ {w.rng.choice(["climate", "energy", "fisheries", "brand-new-tag"])}
    w.remake(i, evolve(a, {"tags": tuple(sorted(tags))}))


def edit_vocabulary(w: World, i: int) -> None:
    """A vocabulary term appears (its word added twice) or disappears (removed)."""
    a = w.arts[i]
    names = [t.label for tax in w.config.taxonomies for t in tax.terms]
    word = w.rng.choice(names)
    if word in a.body and w.rng.random() < 0.6:
        body = a.body.replace(word, "").replace(word.lower(), "")
    else:
        body = f"{a.body}\n\n{word} and {word.lower()} again."
    w.remake(i, evolve(a, {"body": body}))


def edit_pins(w: World, i: int) -> None:
    a = w.arts[i]
    pins = tuple(w.rng.choice(w.arts).slug for _ in range(w.rng.randint(0, 3)))
    excl = tuple(w.rng.choice(w.arts).slug for _ in range(w.rng.randint(0, 2)))
    w.remake(i, evolve(a, {"related_pins": pins, "related_exclude": excl}))


def edit_source(w: World, i: int) -> None:
    w.remake(i, evolve(w.arts[i], {"source": w.rng.choice((*AGENCIES, None))}))


def edit_mentions(w: World, i: int) -> None:
    named = w.rng.sample(w.arts, w.rng.randint(0, 3))
    w.remake(i, evolve(w.arts[i], {"kind": "clipping", "mentions": tuple(
        Mention(title=a.title.upper(), date=None) for a in named)}))


def edit_nothing(w: World, i: int) -> None:
    w.remake(i, w.arts[i])  # a new tag, the same record (a file saved unchanged)


def edit_date(w: World, i: int) -> None:
    a = w.arts[i]
    w.remake(i, evolve(a, {"date": a.date + timedelta(hours=w.rng.randint(1, 200))}))


def edit_slug(w: World, i: int) -> None:
    w.remake(i, evolve(w.arts[i], {"slug": f"{w.arts[i].slug}-renamed"}))


def edit_add(w: World, i: int) -> None:
    a = w.arts[i]
    w.insert(i, evolve(a, {"path": a.path.with_name(f"copy-{w.serial}.md"),
                           "slug": f"copy-{w.serial}", "body": _para(w, a)}))


def edit_delete(w: World, i: int) -> None:
    w.delete(i)


EXACT: list[Callable[[World, int], None]] = [
    edit_append, edit_append, edit_replace_word, edit_title, edit_tags, edit_vocabulary,
    edit_pins, edit_source, edit_mentions, edit_nothing]
REFUSED: list[Callable[[World, int], None]] = [edit_date, edit_slug, edit_add, edit_delete]


# ------------------------------------------------------------------ checks

def view(snap: Snapshot) -> dict[str, Any]:
    """Everything a snapshot holds, by strings instead of its (order-dependent) ids."""
    words = snap.vocab
    n = len(snap.keys)

    def named(values: Any) -> dict[str, int]:
        return {words[k]: int(d) for k, d in enumerate(values) if d}

    return {
        "lists": {name: getattr(snap, name) for name in (
            "keys", "tags", "urls", "slugs", "related", "earlier", "later", "story", "also",
            "titles", "sources")},
        "order": (list(snap.order), list(snap.time_order), list(snap.stamps)),
        "text": [list(vector_of(snap, words, i).items()) for i in range(n)],
        "floors": list(snap.floors),
        "terms": [list(term_vector_of(snap, words, i).items()) for i in range(n)],
        "counts": [dict(zip(map(words.__getitem__, snap.counts_ids[i]), snap.counts_tf[i],
                            strict=True)) for i in range(n)],
        "keysets": [sorted(map(words.__getitem__, snap.tax_ids[i])) for i in range(n)],
        "df": named(snap.df), "tdf": named(snap.tdf),
        "postings": {words[k]: list(snap.postings[k]) for k in range(len(words))
                     if len(snap.postings[k])},
        "picks": [(list(snap.picks[p]), list(snap.pick_dots[p]), snap.pick_size[p],
                   snap.pick_done[p]) for p in range(n)],
        "pairs": [list(zip(snap.pair_j[i], snap.pair_sim[i], strict=True)) for i in range(n)],
        "members": [list(m) for m in snap.members],
        "mentions": (snap.mention_titles, snap.mentions),
    }


def full(w: World) -> tuple[list[Any], Snapshot]:
    values, snap = site_values(tuple(w.arts), w.config, SERIAL, list(w.counted), w.terms,
                               Keeper(w.tags))
    assert snap is not None
    return values, snap


def step(w: World, snap: Snapshot, refused: bool) -> Snapshot:
    """Update ``snap`` to ``w`` and compare with a full pass; the snapshot to go on with."""
    want, want_snap = full(w)
    arts = tuple(w.arts)
    try:
        edited = edited_since(snap, arts, [a.key for a in arts], w.tags)
    except Stale:
        assert refused, "an edit the update handles was refused"
        return want_snap
    assert not refused, "the update took an edit it must refuse"
    got, new = update_site(snap, arts, w.config, w.tags, edited,
                           {i: w.counted[i] for i in edited}, w.terms)
    for i, (have, should) in enumerate(zip(zip(*got), zip(*want), strict=True)):
        for name, a, b in zip(SITE_FIELDS, have, should, strict=True):
            assert a == b, f"{arts[i].key}: {name} {a!r} != {b!r}"
    assert view(new) == view(want_snap)
    # as the cache stores it: through pickle and the checks of from_data
    back = Snapshot.from_data(pickle.loads(pickle.dumps(new.to_data(), protocol=5)))
    assert back is not None
    return back


def run_edits(w: World, steps: int, refuse_every: int = 0) -> None:
    _, snap = full(w)
    for k in range(steps):
        refused = bool(refuse_every) and k % refuse_every == refuse_every - 1
        kinds = REFUSED if refused else EXACT
        for _ in range(1 if refused else w.rng.choice((1, 1, 1, 2, 3))):
            w.rng.choice(kinds)(w, w.rng.randrange(len(w.arts)))
        snap = step(w, snap, refused)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> World:
    return load_world(tmp_path_factory.mktemp("update"), 500, 3)


def test_edits_update_exactly(small: World) -> None:
    run_edits(small, 24, refuse_every=6)


def test_an_unchanged_site_reuses_the_snapshot(small: World) -> None:
    values, snap = full(small)
    arts = tuple(small.arts)
    edited = edited_since(snap, arts, [a.key for a in arts], small.tags)
    got, same = update_site(snap, arts, small.config, small.tags, edited, {}, small.terms)
    assert edited == [] and same is snap and [list(c) for c in got] == [list(c) for c in values]


def test_parallel_full_pass_leaves_the_same_snapshot(small: World) -> None:
    values, snap = full(small)
    values2, snap2 = site_values(tuple(small.arts), small.config, Workers(2),
                                 list(small.counted), small.terms, Keeper(small.tags))
    assert [list(c) for c in values2] == [list(c) for c in values]
    assert snap2 is not None and view(snap2) == view(snap)


def test_edits_on_tiny_sites_update_exactly(tmp_path: Path) -> None:
    for seed in range(12):
        run_edits(tiny_world(tmp_path, seed), 10, refuse_every=5)


@pytest.mark.slow
def test_many_edits_on_a_bigger_site(tmp_path: Path) -> None:
    w = load_world(tmp_path, 1500, 11)
    run_edits(w, 16, refuse_every=8)
