"""Markdown renders inert: a corpus of payloads (scripts, event handlers, javascript: URLs, iframes, CSS
tricks) goes through render_markdown; the HTML that comes out is parsed and every tag, attribute and link
is checked against the allow-list."""

from html.parser import HTMLParser

import pytest

from convoca.proposals.markdown import ATTRIBUTES, TAGS, render_many, render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">click</a>',
    '<div onmouseover="alert(1)">hover</div>',
    "<body onload=alert(1)>",
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    "<iframe src=\"https://evil.example\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://evil.example/x.png)',
    "![tracking pixel](https://evil.example/pixel.gif)",
    '<p style="position:fixed;top:0;left:0;width:100%;height:100%">cover</p>',
    "<style>body{display:none}</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<form action=https://evil.example><input name=password></form>",
    "<base href=\"https://evil.example/\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<details open ontoggle=alert(1)>",
    "[a](https://ok.example \"title\" onmouseover=alert(1))",
    '<a href="https://ok.example" target="_blank">ok</a>',
    "| a | b |\n|---|---|\n| <script>x</script> | [y](javascript:1) |",
    "# Heading <script>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "\u202eevil\u202c <script>",
]


class Checker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            self.problems.append(f"tag {tag}")
        allowed = ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"attribute {name} on {tag}")
            if name == "href" and not (value or "").lower().startswith(("http://", "https://", "mailto:")):
                self.problems.append(f"href {value}")

    def handle_comment(self, data):
        self.problems.append("comment")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_renders_every_payload_inert(payload):
    html = str(render_markdown(payload))
    checker = Checker()
    checker.feed(html)
    assert checker.problems == [], html
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<style" not in lowered
    assert not any(f'href="{scheme}' in lowered for scheme in ("javascript", "vbscript", "data:", "java\t"))


def test_it_keeps_ordinary_markdown():
    html = str(render_markdown("# Título\n\n**Fuerte**, *énfasis* y [enlace](https://ejemplo.org).\n\n1. uno\n2. dos"))
    assert "<h3>Título</h3>" in html and "<strong>Fuerte</strong>" in html and "<em>énfasis</em>" in html
    assert '<a href="https://ejemplo.org" rel="nofollow noopener noreferrer">enlace</a>' in html
    assert "<ol>" in html and "<li>uno</li>" in html


def test_it_shows_an_images_description_instead_of_loading_it():
    assert str(render_markdown("![Marcha en Bogotá](https://example.org/foto.jpg)")) == "<p>Marcha en Bogotá</p>\n"


def test_it_renders_many_at_once_and_empty_text_as_nothing():
    assert str(render_markdown("  ")) == ""
    assert [str(h) for h in render_many(["a", "*b*", "a"])] == ["<p>a</p>\n", "<p><em>b</em></p>\n", "<p>a</p>\n"]
