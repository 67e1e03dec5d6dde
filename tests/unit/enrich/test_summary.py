"""digest.site.enrich.summary: sentence splitting, summaries, word counts, reading time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

import pytest

from digest.site.config import SiteConfig
from digest.site.enrich.summary import (
    count_words,
    cut,
    lead,
    plain_text,
    split_sentences,
    summarize,
    summarize_articles,
)
from digest.site.records import Article


def article(body="", **kw):
    return Article(path=PurePosixPath("content/a.md"), kind="markdown", title="T",
                   date=datetime(2024, 12, 20, tzinfo=UTC), slug="a", body=body, **kw)


# --- split_sentences ------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("The U.S. envoy landed. Talks began.", ["The U.S. envoy landed.", "Talks began."]),
    ("They met at 4 p.m. Minsk time. Then they ate.",
     ["They met at 4 p.m. Minsk time.", "Then they ate."]),
    ("Decree No. 1229 was signed. No. We buy gas.",
     ["Decree No. 1229 was signed.", "No.", "We buy gas."]),
    ("President A. Lukashenko spoke. He left.", ["President A. Lukashenko spoke.", "He left."]),
    ("Output rose 12.5% in a year. Prices fell.", ["Output rose 12.5% in a year.", "Prices fell."]),
    ("Mr. Smith and Dr. Jones met St. Petersburg officials. Done.",
     ["Mr. Smith and Dr. Jones met St. Petersburg officials.", "Done."]),
    ("Someone wants to split us... The answer is no.",
     ["Someone wants to split us...", "The answer is no."]),
    ("Someone wants to split us\u2026 The answer is no.",
     ["Someone wants to split us\u2026", "The answer is no."]),
    ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
    ("\u00abМы готовы.\u00bb Затем он ушёл.", ["\u00abМы готовы.\u00bb", "Затем он ушёл."]),
    ("He said: \u201cWe agree.\u201d Then he left.",
     ["He said: \u201cWe agree.\u201d", "Then he left."]),
    ("He said so. \u201cWe agree,\u201d he added.",
     ["He said so.", "\u201cWe agree,\u201d he added."]),
    ("Это, т.е. проект, стоит 5 млн. Рублей в бюджете нет. Всё.",
     ["Это, т.е. проект, стоит 5 млн. Рублей в бюджете нет.", "Всё."]),
    ("Read https://eng.belta.by/president/view/talks-12.html. Next one.",
     ["Read https://eng.belta.by/president/view/talks-12.html.", "Next one."]),
    ("See eng.belta.by/A.B for more. End.", ["See eng.belta.by/A.B for more.", "End."]),
    ("a line without a full stop", ["a line without a full stop"]),
    ("lower. case after a stop does not split", ["lower. case after a stop does not split"]),
    ("First para\n\nSecond para", ["First para", "Second para"]),
    ("Spread\nover  lines. Next.", ["Spread over lines.", "Next."]),
    ("", []),
])
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


# --- plain text and the lead ------------------------------------------------

def test_plain_text_strips_markdown():
    md = ("## Head\n> quoted **bold** and *em* and _under_ with [a link](http://x) "
          "![img](i.png) `code` <b>tag</b> \\*star\\* snake_case_name\n- item")
    assert plain_text(md) == ("Head quoted bold and em and under with a link code tag "
                              "*star* snake_case_name item")


def test_lead_skips_dateline_photo_and_heading():
    body = ("10:32, 20 December\n\nPhoto: press service\n\n# Heading\n\n"
            "MINSK, 20 December (BelTA) - The **two** presidents met.\n\nSecond paragraph.")
    assert lead(body) == "The two presidents met."


@pytest.mark.parametrize("first", [
    "20 December 2024", "December 20, 2024", "2024-12-20", "2024-12-20 10:32",
    "MINSK, 20 December", "Фото: пресс-служба", "![x](y.jpg)", "---", "Title\n=====",
])
def test_lead_skips(first):
    assert lead(f"{first}\n\nReal lead.") == "Real lead."


def test_lead_of_empty_body():
    assert lead("") == "" and lead("Photo: x") == ""


# --- cut --------------------------------------------------------------------

def test_cut_short_text_is_unchanged():
    assert cut("Short.", 200) == "Short."


def test_cut_at_a_sentence_boundary():
    text = "First sentence here. Second sentence is a bit longer. Third."
    assert cut(text, 30) == "First sentence here."
    assert cut(text, 55) == "First sentence here. Second sentence is a bit longer."


def test_cut_at_a_word_boundary_with_ellipsis():
    text = "A very long first sentence that never seems to end at all"
    out = cut(text, 20)
    assert out == "A very long first\u2026" and len(out) <= 20


def test_cut_drops_trailing_punctuation_before_ellipsis():
    assert cut("Gas, oil, power, coal, wood and more words", 11) == "Gas, oil\u2026"


def test_cut_one_huge_word():
    out = cut("x" * 50, 10)
    assert out == "x" * 9 + "\u2026"


# --- summarize ----------------------------------------------------------------

def test_front_matter_summary_wins_and_is_plain():
    art = summarize(article("Lead sentence.", summary="The **curated** summary."))
    assert art.summary_text == "The curated summary."


def test_summary_from_lead_cut_to_length():
    body = "Photo: x\n\n" + "Talks went well. " * 20 + "\n\nNext."
    art = summarize(article(body), max_len=60)
    assert art.summary_text == "Talks went well. Talks went well. Talks went well."


def test_word_count_and_reading_minutes():
    art = summarize(article("word " * 441))
    assert art.word_count == 441 and art.reading_minutes == 3
    empty = summarize(article(""))
    assert (empty.word_count, empty.reading_minutes, empty.summary_text) == (0, 1, "")


def test_word_count_ignores_markup():
    assert count_words(plain_text("## A heading\n\n- [two words](http://x) --- *")) == 4


def test_summarize_articles_uses_config_length():
    arts = summarize_articles([article("One two three four five six.")],
                              SiteConfig(summary_length=10))
    assert arts[0].summary_text == "One two\u2026"


def test_count_words_agrees_with_the_token_regex() -> None:
    """count_words takes a shortcut for all-alphanumeric tokens: the count is
    still that of whitespace tokens holding a letter or digit, whatever the
    whitespace (Unicode separators included) and punctuation."""
    import random
    import re

    token = re.compile(r"[^\W_]\S*")
    chars = list("ab _-*#\n\t\u00a0\u2003\u200b\u0300½²١\x1c\x1f\x85\u2028Я.,()")
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 16)))
        assert count_words(text) == len(token.findall(text)), repr(text)


# --- issue 25: link titles and addresses with parentheses -------------------

@pytest.mark.parametrize(("md", "text"), [
    ('See [the text](http://x/a_(b) "t") here.', "See the text here."),
    ("See [a (b)](http://x/) here.", "See a (b) here."),
    ('See [c](http://y "title (with) parens") here.', "See c here."),
    ("See [d](<http://y/a b> 'single (q)') here.", "See d here."),
    ('Photo ![a (b)](http://x/i_(1).png "c (d)") gone.', "Photo gone."),
    ("Gas rose.[^1]\n\n[^1]: Per the ministry.", "Gas rose."),
    ("Per [the report][r] &amp; more.\n\n[r]: http://x/(a) \"T (x)\"", "Per the report & more."),
    ("Inline <!-- note --> <b>html</b> dropped.", "Inline html dropped."),
])
def test_plain_text_of_links_images_and_notes(md: str, text: str) -> None:
    assert plain_text(md) == text
    assert lead(md) == text


def test_summary_has_no_link_fragments() -> None:
    body = ('The ministry [said](http://gov.example/news_(2024) "Ministry (press)") that '
            "[gas (LNG)](http://x/) prices rose. Second sentence follows here.")
    summary = summarize(article(body), 60).summary_text
    assert summary == "The ministry said that gas (LNG) prices rose."
    assert '")' not in summary and "](" not in summary


def test_plain_paragraphs_skip_the_parse_and_read_the_same() -> None:
    """Text with nothing markdown-it would read as markup is reduced without
    parsing it (summary._MARKUP); for any such text that gives exactly what
    the tokens give.  Random texts of words, spaces, line breaks, digits and
    every punctuation mark that may start markup or a block."""
    import random

    from digest.site.enrich import summary

    pieces = ["word", "Minsk", "déjà", "42", "1.", "2)", " ", "  ", "\n", "\n\n", "\t",
              "    ", "-", "+", "*", "_", "`", "[", "]", "(", ")", "!", "<", ">", "&",
              "amp;", "~", "|", "#", "=", "\\", ".", ",", ":", "@", "{", "}", "^", "$", "%",
              "'", '"', "\u00a0", "\u2014", "\r", "\x00"]
    fast = 0
    for seed in range(4000):
        pick = random.Random(seed)
        text = "".join(pick.choice(pieces) for _ in range(pick.randint(1, 30)))
        assert plain_text(text) == summary.parsed_text(text) if text.strip() else True, repr(text)
        if text.strip() and not summary._MARKUP.search(text):
            fast += 1
            # such text is paragraphs only, as the shortcut assumes
            tokens = summary._parser().parse(text, {})
            assert {t.type for t in tokens} <= {"paragraph_open", "inline", "paragraph_close"}
    assert fast > 100  # the shortcut was tried often
