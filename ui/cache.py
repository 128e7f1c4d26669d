"""Cached calls of read-side functions.

`data(fn, *args, **kwargs)` runs `fn` through `st.cache_data`, keyed on the function, its arguments
(filters, Scope) and `metrics.db.version()` (inode, mtime, size of the warehouse file): a load that
swaps a new file in changes the key, so the next rerun reads the new file without a restart.  No
DuckDB connection outlives the call (metrics.db opens one per query).

What is cached stays small whatever the warehouse's size: metrics functions return aggregates (at most
a province's communes × periods, or the 3,321 communes of the place list: ~0.2 MB pickled on a
30-million-dossier warehouse), never fact rows; the one list of raw rows, rejected rows, is capped
(metrics.quality.REJECTS_MAX_ROWS).  With at most MAX_ENTRIES entries the cache stays within a few
hundred MB even when filled.
"""

from __future__ import annotations

import importlib

import streamlit as st

from metrics import db

MAX_ENTRIES = 1000


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def _call(module: str, name: str, args: tuple, kwargs: tuple, version: tuple):
    fn = getattr(importlib.import_module(module), name)
    return fn(*args, **dict(kwargs))


def data(fn, *args, **kwargs):
    return _call(fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())), db.version())
