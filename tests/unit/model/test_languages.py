"""Which files hold which language (model/languages.py), on paths alone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

from digest.site.config import parse_config
from digest.site.model.languages import plan
from digest.site.model.urls import assign_urls
from digest.site.records import Article

WHEN = datetime(2024, 5, 1, 9, tzinfo=UTC)


def article(path: str, slug: str, **extra: object) -> Article:
    return Article(path=PurePosixPath(path), kind="markdown", title=slug, date=WHEN,
                   slug=slug, body="x", extra=extra)


def test_configured_languages_name_their_folders_and_suffixes() -> None:
    config = parse_config({"languages": ["ja", "en", "pt-BR"]})
    assert (config.language, config.language_set) == ("ja", False)
    found = plan(["content/EN/a.md", "content/pt-br/b.md", "content/faq/c.md",
                  "content/notes/x.en.md", "content/notes/y.old.md"], config)
    assert dict(found.folders) == {"EN": "en", "pt-br": "pt-BR"}
    # with the setting a suffix needs no sibling; an unlisted one is no language
    assert dict(found.suffixed) == {"notes/x.en.md": "en"}
    assert found.default == "ja"


def test_without_a_setting_the_shape_decides() -> None:
    config = parse_config({})
    paths = ["content/faq/a.md", "content/blog/b.md", "content/x.ja.md", "content/x.md",
             "content/y.fr.md", "content/y.de.md", "content/notes.old.md"]
    found = plan(paths, config)
    assert dict(found.folders) == {}  # one folder named like a code is not a language
    assert dict(found.suffixed) == {"x.ja.md": "ja", "y.de.md": "de", "y.fr.md": "fr"}
    assert found.default == "en"
    two = plan(["content/faq/a.md", "content/api/b.md"], config)
    assert dict(two.folders) == {"api": "api", "faq": "faq"}  # why `languages:` exists


def test_another_content_folder_and_its_translations() -> None:
    config = parse_config({"content_dir": "site/posts"})
    arts = [article("site/posts/de/a.md", "a"), article("site/posts/ko/a.md", "a"),
            article("site/posts/ko/b.md", "b", translationKey=7),
            article("site/posts/de/c.md", "c", translationKey=7),
            article("site/posts/de/d.md", "d", translationKey=True)]
    placed = {str(a.path): a for a in assign_urls(arts, config)}
    assert placed["site/posts/de/a.md"].url == "/2024/05/01/a/"  # de: first in sorted order
    assert placed["site/posts/ko/a.md"].url == "/ko/2024/05/01/a/"
    assert placed["site/posts/ko/b.md"].translations == (
        ("de", "/2024/05/01/c/"), ("ko", "/ko/2024/05/01/b/"),
        ("x-default", "/2024/05/01/c/"))
    assert placed["site/posts/de/d.md"].translations == ()  # a key is text or a number


def test_a_site_in_one_language_keeps_its_urls() -> None:
    config = parse_config({"language": "fr"})
    (one,) = assign_urls([article("content/blog/a.md", "a")], config)
    assert (one.url, one.lang, one.translations) == ("/2024/05/01/a/", "fr", ())
