"""Cached calls of read-side functions.

`data(fn, *args, **kwargs)` runs `fn` through `st.cache_data`, keyed on the function, its arguments
(filters, Scope) and `metrics.db.version()` (inode, mtime, size of the warehouse file): a load that
swaps a new file in changes the key, so the next rerun reads the new file without a restart.  No
DuckDB connection outlives the call (metrics.db opens one per query).
"""

from __future__ import annotations

import importlib

import streamlit as st

from metrics import db


@st.cache_data(max_entries=1000, show_spinner=False)
def _call(module: str, name: str, args: tuple, kwargs: tuple, version: tuple):
    fn = getattr(importlib.import_module(module), name)
    return fn(*args, **dict(kwargs))


def data(fn, *args, **kwargs):
    return _call(fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())), db.version())
