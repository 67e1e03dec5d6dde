"""Languages: Hugo's content folder per language, and ``name.<lang>.md`` beside ``name.md``.

Rules (the README's "Moving an existing site" says the same):

- with ``languages:`` in digest.yaml, a top-level folder of the content
  folder named for one of them holds that language's articles, and so does a
  file ``name.<lang>.md`` for one of them, anywhere;
- without it, the content's shape decides, as Hugo lays sites out: top-level
  folders named like language codes (``en``, ``ja``, ``pt-br``: two or three
  letters, maybe a region) when there are at least two of them, and
  ``name.<code>.md`` when ``name.md`` or another ``name.<code>.md`` is beside
  it (so a lone ``notes.old.md`` keeps its URL);
- the default language is the first of ``languages``; else ``language`` when
  digest.yaml names it; else, with language folders, ``en`` when one of the
  languages found, else the first folder's code in sorted order; else
  ``language``.  Files outside language folders are in the default language.
  The default language keeps today's URLs; every other language's articles
  are under ``/<lang>/`` (``/ja/2024/05/01/x/``), and ``x.ja.md`` has the
  slug of ``x.md`` unless its front matter names one;
- translations are the articles at the same path under each language folder
  (or the same name with another language suffix), or with the same
  ``translationKey:``; two of one language for one key: the first by path is
  the translation.

Enrichment links every article to every other (related links, stories);
:func:`own_language` then keeps each article's links to its own language,
so a page never sends a reader to another language but by its language switch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from digest.errors import Diagnostic
from digest.site.config import SiteConfig
from digest.site.recordcopy import evolve, with_columns
from digest.site.records import Article

# Hugo's language keys as sites name their folders: en, fra, pt-br, zh-Hant.
_SHAPE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?")
X_DEFAULT = "x-default"


@dataclass(frozen=True, slots=True)
class Plan:
    """Which folders and files hold which language, and the default one."""

    default: str
    folders: Mapping[str, str]  # top-level content folder -> its language
    suffixed: Mapping[str, str]  # path in the content folder of a name.<lang>.md -> lang
    content: str  # the content folder with a trailing "/"

    @property
    def multilingual(self) -> bool:
        return bool(self.folders or self.suffixed)


def plan(paths: Iterable[PurePosixPath | str], config: SiteConfig) -> Plan:
    """The languages of the site whose article files are ``paths`` (relative
    to the site root)."""
    content = config.content_dir.strip("/") + "/"
    rels = [s[len(content):] for s in map(str, paths) if s.startswith(content)]
    configured = {code.casefold(): code for code in config.languages}

    def code_of(name: str) -> str | None:
        if configured:
            return configured.get(name.casefold())
        return name if _SHAPE.fullmatch(name) else None

    folders = {top: code for top in sorted({r.split("/", 1)[0] for r in rels if "/" in r})
               if (code := code_of(top)) is not None}
    if not configured and len(folders) < 2:
        folders = {}
    suffixed: dict[str, str] = {}
    # name.<code>.md: only names with two dots are looked at (most have one)
    dotted = [r for r in rels if r.count(".") >= 2 and r.rpartition("/")[2].count(".") >= 2]
    if dotted:
        # (folder/base) of every file: name.<code>.md needs a sibling to be
        # a translation (without the setting)
        bases: dict[str, int] = {}
        for rel in rels:
            folder, _, name = rel.rpartition("/")
            parts = name.split(".")
            code = code_of(parts[-2]) if len(parts) >= 3 and parts[0] else None
            base = folder + "/" + ".".join(parts[:-2] if code else parts[:-1])
            bases[base] = bases.get(base, 0) + 1
        for rel in dotted:
            folder, _, name = rel.rpartition("/")
            parts = name.split(".")
            code = code_of(parts[-2]) if len(parts) >= 3 and parts[0] else None
            if code is not None and (configured or
                                     bases[folder + "/" + ".".join(parts[:-2])] > 1):
                suffixed[rel] = code
    if config.languages:
        default = config.languages[0]
    elif config.language_set or not folders:
        default = config.language
    else:
        found = {*folders.values(), *suffixed.values()}
        default = "en" if "en" in found else folders[min(folders)]
    return Plan(default=default, folders=folders, suffixed=suffixed, content=content)


def placement(article: Article, where: Plan, config: SiteConfig
              ) -> tuple[str, str, str]:
    """(language, translation key, slug of its URL) of an article."""
    rel = str(article.path)
    rel = rel[len(where.content):] if rel.startswith(where.content) else rel
    top, _, rest = rel.partition("/")
    lang, inner = where.default, rel
    if rest and top in where.folders:
        lang, inner = where.folders[top], rest
    slug = article.slug
    code = where.suffixed.get(rel)
    if code is not None:
        lang = code
        folder, _, name = inner.rpartition("/")
        parts = name.split(".")
        inner = (folder + "/" if folder else "") + ".".join(parts[:-2]) + "." + parts[-1]
        slug = _unsuffixed_slug(article, config) or slug
    key = article.extra.get("translationKey")
    key = f"key:{key}" if isinstance(key, str | int) and not isinstance(key, bool) \
        else "path:" + inner.rsplit(".", 1)[0]
    return lang, key, slug


def _unsuffixed_slug(article: Article, config: SiteConfig) -> str | None:
    """``x.ja.md``'s slug as ``x.md`` would have it, when it is the one its
    file name gave (not front matter's ``slug:`` or the title's)."""
    from digest.site.sources.markdown_doc import file_name_slug

    path = article.path
    if file_name_slug(path, config.content_dir) != article.slug:
        return None
    parts = path.name.split(".")
    plain = path.with_name(".".join(parts[:-2]) + "." + parts[-1])
    return file_name_slug(plain, config.content_dir)


def place(articles: Sequence[Article], config: SiteConfig,
          url_of: Callable[[Article, str], str],
          among: Iterable[PurePosixPath | str] | None = None) -> tuple[Article, ...]:
    """The articles with ``url`` (``url_of(article, slug)``, under ``/<lang>/``
    for all but the default language), ``lang`` and ``translations`` set;
    ``among``: every article's path when not all are in ``articles`` (the
    preview of one article)."""
    where = plan([a.path for a in articles] if among is None else among, config)
    if not where.multilingual:
        lang = where.default
        # with_columns: new records a field at a time (10,000 articles: 0.1 s by evolve)
        return with_columns(articles, {"url": [url_of(a, a.slug) for a in articles],
                                       "lang": [lang] * len(articles)})
    placed = [placement(a, where, config) for a in articles]
    urls = [url_of(a, slug) if lang == where.default else f"/{lang}{url_of(a, slug)}"
            for a, (lang, _, slug) in zip(articles, placed, strict=True)]
    versions: dict[str, dict[str, tuple[str, str]]] = {}  # key -> lang -> (path, url)
    for art, (lang, key, _), url in zip(articles, placed, urls, strict=True):
        mine = versions.setdefault(key, {})
        if lang not in mine or str(art.path) < mine[lang][0]:
            mine[lang] = (str(art.path), url)
    translations = []
    for art, (lang, key, _) in zip(articles, placed, strict=True):
        mine = versions[key]
        shown: tuple[tuple[str, str], ...] = ()
        if len(mine) > 1 and mine[lang][0] == str(art.path):
            shown = tuple((code, mine[code][1]) for code in sorted(mine))
            if where.default in mine:
                shown += ((X_DEFAULT, mine[where.default][1]),)
        translations.append(shown)
    return with_columns(articles, {"url": urls, "lang": [lang for lang, _, _ in placed],
                                   "translations": translations})


def language_notes(articles: Sequence[Article], config: SiteConfig) -> list[Diagnostic]:
    """A note naming the languages the content's shape gave, when digest.yaml
    has no ``languages:`` (two folders such as ``faq/`` and ``api/`` would be
    taken for languages: the curator sees it and can say otherwise)."""
    if config.languages or len({a.lang for a in articles}) < 2:
        return []
    where = plan([a.path for a in articles], config)
    found = sorted({a.lang for a in articles} - {where.default})
    folders = ", ".join(f"{where.content}{name}/" for name in sorted(where.folders))
    return [Diagnostic(
        severity="note", code="languages", path="digest.yaml",
        message=f"read as a site in several languages ({folders or 'name.<lang>.md files'}): "
                f"{where.default} is the default, {', '.join(found)} under /<lang>/",
        hint="to choose, list them in digest.yaml, the default first: "
             f"languages: [{', '.join([where.default, *found])}]")]


def default_language(articles: Sequence[Article], config: SiteConfig) -> str | None:
    """The default language of a site of several languages, None for one."""
    if len({a.lang for a in articles}) < 2:
        return None
    return plan([a.path for a in articles], config).default


def own_language(articles: tuple[Article, ...], config: SiteConfig) -> tuple[Article, ...]:
    """Each article with its related links, earlier/later links and story kept
    to its own language.

    The minimum that keeps a reader in one language: related links are
    computed over the whole site, then each article keeps those of its
    language (so it may list fewer than ``related_count``); a story is one
    per language (the other languages' ids get ``@<lang>``: an edition never
    folds a report under one in another language), its "also reported" those
    of the same language.  Mentions (the agency's own related headlines) are
    left as matched.  A site in one language is returned as it is."""
    lang_of = {a.url: a.lang for a in articles}
    if len(set(lang_of.values())) < 2:
        return articles
    default = plan([a.path for a in articles], config).default
    out = []
    for art in articles:
        lang = art.lang
        changes: dict[str, object] = {}
        for name in ("related", "earlier", "later", "also_reported"):
            urls = getattr(art, name)
            kept = tuple(u for u in urls if lang_of.get(u) == lang)
            if kept != urls:
                changes[name] = kept
        if art.story is not None and lang != default:
            changes["story"] = f"{art.story}@{lang}"
        out.append(evolve(art, changes) if changes else art)
    return tuple(out)
