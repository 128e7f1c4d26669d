"""Text from the URL (and the users file) is never rendered as markdown or HTML (issue 13, finding 6).

Every URL parameter, set to each payload, open and signed in: no element's markdown (bodies, labels,
help texts) holds the payload's link, image, URL or HTML outside a code span — inside one it is
shown character for character and is never a link.  The real rendering is checked in a browser in
tests/security/test_browser_hardening.py."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from accounts.store import Account, save_users
from tests.security.conftest import PHU_THO, ROOT, cheap_hash, run_as
from ui.auth import SESSION_KEY, Session
from ui.untrusted import code_spans, literal, outside_code

PAYLOADS = [
    "x` [Đăng nhập lại](https://evil.example/login) `y",
    "![a](https://evil.example/a.png)",
    "<img src=https://evil.example/x.png onerror=alert(1)>",
    "<script src=https://evil.example/x.js></script>",
    "``` [a](https://evil.example/x) ```",
    "https://evil.example/login",
    ":red[Đăng nhập lại](https://evil.example/login)",
]
MARKERS = ("evil.example", "onerror", "<script", "<img")
MARKDOWN_TYPES = {
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "exception",
}


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


def rendered_markdown(at) -> list[tuple[str, str]]:
    """(element type, text) of everything Streamlit renders as markdown or HTML: bodies of text and
    message elements, widget labels and help texts, st.html."""
    out = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        fields = {f.name: v for f, v in proto.ListFields()}
        if kind in MARKDOWN_TYPES or kind == "html":
            out.append((kind, str(fields.get("body", ""))))
        for name in ("label", "help"):
            if isinstance(fields.get(name), str):
                out.append((f"{kind}.{name}", fields[name]))
    return out


def assert_no_live_payload(at) -> None:
    for kind, text in rendered_markdown(at):
        live = text if kind == "html" else outside_code(text)
        assert not [m for m in MARKERS if m in live], (kind, text)


@pytest.mark.parametrize("key", ["province", "commune", "period", "lang"])
@pytest.mark.parametrize("mode", ["open", "signed_in"])
def test_url_parameters_never_render_as_markdown(secured, monkeypatch, key, mode):
    if mode == "open":
        monkeypatch.delenv("DASHBOARD_USERS_FILE", raising=False)
    user = None if mode == "open" else "pt"
    for payload in PAYLOADS:
        params = {key: payload} if key in ("province", "lang") else {"province": PHU_THO, key: payload}
        at = run_as(user, "province", **params)
        assert_no_live_payload(at)
        # The notice is there and shows the value literally, inside a code span.
        shown = [text for w in at.warning for inside, text in code_spans(w.value) if inside]
        assert any(payload[:20].strip("` ") in text for text in shown), (
            key,
            payload,
            [w.value for w in at.warning],
        )


def test_user_name_in_the_sidebar_is_literal(secured, monkeypatch, tmp_path):
    """A user name that looks like a link (an e-mail from single sign-on, a domain) is not one."""
    users = tmp_path / "users.toml"
    name = "www.evil.example"
    save_users(users, {name: Account(name, "province", PHU_THO, cheap_hash("irrelevant password"))})
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(users))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state[SESSION_KEY] = Session(name, "province", PHU_THO, time.time())
    at.run()
    assert not at.exception
    captions = [c.value for c in at.sidebar.caption if name in c.value]
    assert captions and all(name not in outside_code(c) for c in captions)
    assert_no_live_payload(at)


def _shown(md: str) -> str:
    """What a code span displays: CommonMark strips one space on each side when both are there."""
    pieces = code_spans(md)
    assert len(pieces) == 1 and pieces[0][0], (md, pieces)
    text = pieces[0][1]
    return text[1:-1] if text.startswith(" ") and text.endswith(" ") and text.strip(" ") else text


@pytest.mark.parametrize("value", [*PAYLOADS, "`", "``", "a`b``c```d", "\\`", " ` x", "[a](b) <i>"])
def test_literal_is_one_code_span_showing_the_value(value):
    assert _shown(literal(value)) == value


def test_literal_keeps_to_one_line_and_a_bounded_length():
    assert _shown(literal("x\ny\r\nz\u2028w")) == "x y z w"
    long = literal("😀" * 80)
    assert _shown(long) == "😀" * 63 + "…"
