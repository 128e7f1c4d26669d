"""Results shared between pages, sessions and the functions that call one another, per warehouse version.

A page's figures come from functions that call one another: the province overview's headline cards,
its rank card and its attention list each need the province's ranking; the headline needs the
34-province ranking of two periods; a commune profile needs its province's medians twice.  The pages'
cache (ui/cache.py) keeps only what a page asks for, by its exact arguments, so the functions those
call were computed again for every card and every session.

`memoized` keeps a function's last results in the process, keyed by all its arguments (the caller's
Scope included: a result is only ever returned for the same scope it was computed for) and by the
warehouse file's version (metrics.db.version: a load that swaps a new file in changes the key).  The
country's and the provinces' aggregates and the public 34-province ranking take no scope at all, so
every session of every province shares them.

Each caller gets its own copy of a DataFrame, so a caller that changes it changes nothing shared.
Thread-safe; at most `maxsize` results per function (aggregates of at most a province's communes or
the 34 provinces: a few hundred kB at most).  Arguments must be hashable (periods, scopes, codes,
tuples); a call with an unhashable argument is computed and not kept.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections import OrderedDict

import pandas as pd

from metrics import db


def memoized(maxsize: int = 64):
    def decorate(fn):
        cache: OrderedDict = OrderedDict()
        lock = threading.Lock()
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            path = bound.arguments.get("path")
            values = tuple((k, v) for k, v in bound.arguments.items() if k != "path")
            key = (values, str(db.db_path(path)), db.version(path))
            try:
                with lock:
                    hit = cache.get(key)
                    if hit is not None:
                        cache.move_to_end(key)
            except TypeError:  # an unhashable argument: compute, keep nothing
                return fn(*args, **kwargs)
            if hit is None:
                hit = fn(*args, **kwargs)
                with lock:
                    cache[key] = hit
                    while len(cache) > maxsize:
                        cache.popitem(last=False)
            return hit.copy(deep=True) if isinstance(hit, pd.DataFrame) else hit

        return wrapper

    return decorate
