"""The one way user-written Markdown becomes HTML: markdown-it-py (CommonMark,
raw HTML off) then nh3 (an allow-list sanitiser). Whatever the text holds —
script tags, event handlers, ``javascript:`` links, iframes, style
attributes — the HTML that comes out is inert: only the tags and attributes
listed here survive, links keep only http(s) and mailto addresses and get
``rel="nofollow noopener noreferrer"``, and images are dropped (a page makes
no request to a third party).

Rendered HTML is kept in Django's cache by the text's digest (a text that
changes is a new key), so a page showing many paragraphs renders each once.
"""

import hashlib

import nh3
from django.core.cache import cache
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
CACHE_SECONDS = 24 * 3600
CACHE_PREFIX = "proposals:md:"

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def _image_as_text(renderer, tokens, idx, options, env):
    """An image shows its description: a page loads nothing from elsewhere."""
    return escapeHtml(tokens[idx].content)


_parser.add_render_rule("image", _image_as_text)


def _render(text):
    tokens = _parser.parse(text)
    for token in tokens:  # the page has its own h1 and h2: a text's "# Title" becomes an h3
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
    html = _parser.renderer.render(tokens, _parser.options, {})
    return nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer", strip_comments=True,
    )


def render_markdown(text):
    """Safe HTML for the Markdown ``text`` (marked safe for templates)."""
    text = text or ""
    if not text.strip():
        return mark_safe("")
    return mark_safe(render_many([text])[0])  # sanitised by nh3 (see _render)


def render_many(texts):
    """[HTML] for several Markdown texts, with one cache round trip for all of them."""
    keys = [CACHE_PREFIX + hashlib.blake2b(t.encode("utf-8"), digest_size=16).hexdigest() for t in texts]
    found = cache.get_many(set(keys))
    missing = {}
    out = []
    for key, text in zip(keys, texts, strict=True):
        html = found.get(key)
        if html is None:
            html = missing.get(key) or _render(text)
            missing[key] = html
        out.append(mark_safe(html))  # sanitised by nh3 (see _render)
    if missing:
        cache.set_many(missing, CACHE_SECONDS)
    return out
