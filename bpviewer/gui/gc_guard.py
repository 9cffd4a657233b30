"""Keep Python's cyclic garbage collector on the GUI thread while workers run.

The collector runs in whichever thread happens to allocate when a collection is due.  If a
worker thread collects a cycle that holds widgets (say, the tables of a network that was
just replaced), their Qt objects are deleted off the GUI thread, which corrupts Qt's timer
lists and crashes later.  Workers here create no reference cycles, so while any worker runs
the collector is switched off (garbage waits; nothing is lost), and back on when the last
one ends, on the GUI thread.
"""

from __future__ import annotations

import gc

_paused = 0
_was_enabled = True


def pause() -> None:
    """A worker starts (call on the GUI thread)."""
    global _paused, _was_enabled
    if _paused == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _paused += 1


def resume() -> None:
    """A worker ended (call on the GUI thread)."""
    global _paused
    if _paused == 0:
        return
    _paused -= 1
    if _paused == 0 and _was_enabled:
        gc.enable()
