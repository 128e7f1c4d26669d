"""Text from outside the code (URL parameters, the users file, uploaded files) inside markdown.

Streamlit renders the body of st.markdown / caption / info / warning / error / success as
GitHub-flavoured markdown: links, images, bare URLs and e-mail addresses turned into links, colour
and icon directives, LaTeX.  Backslash escapes are not enough: GFM turns a bare `https://...` or
`www....` into a link after escapes are resolved.  Nothing inside a code span is ever a link, an
image, HTML or a directive, so an untrusted value goes into markdown only through `literal`: a code
span whose fence is longer than any run of backticks in the value (it cannot be closed early), on
one line, cut to a bounded length.  No Streamlit here: pure functions, tested on their own.
"""

from __future__ import annotations

import re

# Control characters and line/paragraph separators: a code span keeps to one line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_TICKS = re.compile(r"`+")
DEFAULT_LIMIT = 64


def literal(value, limit: int = DEFAULT_LIMIT) -> str:
    """`value` as a markdown code span that shows it character for character (control characters
    as one space, cut to `limit` characters with an ellipsis)."""
    text = _CONTROL.sub(" ", str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    longest = max((len(run) for run in _TICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    # A value that starts or ends with a backtick must not touch the fence, and one that starts and
    # ends with a space would lose them: pad with one space each side, which CommonMark strips.
    if (
        text.startswith("`")
        or text.endswith("`")
        or (text.startswith(" ") and text.endswith(" ") and text.strip())
    ):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def code_spans(markdown: str) -> list[tuple[bool, str]]:
    """Split markdown into (inside_code_span, text) pieces the way CommonMark pairs backtick runs
    (a backslash-escaped backtick opens nothing; a run closes only on a run of the same length).
    Used by the tests to check that untrusted text appears only inside code spans."""
    pieces: list[tuple[bool, str]] = []
    i, start, n = 0, 0, len(markdown)
    while i < n:
        ch = markdown[i]
        if ch == "\\" and i + 1 < n:
            i += 2
            continue
        if ch != "`":
            i += 1
            continue
        run = _TICKS.match(markdown, i).group()
        close = i + len(run)
        while True:
            m = _TICKS.search(markdown, close)
            if m is None or len(m.group()) == len(run):
                break
            close = m.end()
        if m is None:  # no closing run: the backticks are literal text
            i += len(run)
            continue
        pieces.append((False, markdown[start:i]))
        pieces.append((True, markdown[i + len(run) : m.start()]))
        i = start = m.end()
    pieces.append((False, markdown[start:]))
    return [p for p in pieces if p[1]]


def outside_code(markdown: str) -> str:
    """The parts of `markdown` that are not inside code spans, joined."""
    return "".join(text for inside, text in code_spans(markdown) if not inside)
