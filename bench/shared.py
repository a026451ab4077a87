"""The time the pandas app spends in code both apps share, so the best ratio ours could reach.

The careful pandas app (bench/baseline.py) gets its numbers out of the data its own way, then
calls our library for the rest: SPC, Gi*, k-means, Theil-Sen, the ranking and the words, as a
plain app reusing it would. That time is the same for both apps. However fast our own data work,
ours / pandas cannot fall below shared / pandas: where the shared code is more than half of the
pandas app's time, being twice as fast is out of reach without doing different work.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
import time
from collections.abc import Callable
from types import FunctionType, ModuleType
from typing import Any

OURS = "analytics"


def shared_functions(module: ModuleType) -> frozenset[FunctionType]:
    """Our library's functions that `module` calls: imported by name, or called as an attribute
    of one of our modules it imports."""
    names = vars(module)
    found: list[object] = []
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(OURS):
            found += [names.get(a.asname or a.name) for a in node.names]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Name)):
            owner = names.get(node.func.value.id)
            if isinstance(owner, ModuleType) and owner.__name__.startswith(OURS):
                found.append(getattr(owner, node.func.attr, None))
    return frozenset(f for f in found if isinstance(f, FunctionType)
                     and f.__module__.startswith(OURS))


class SharedClock:
    """While on (`with`), `seconds` counts the time spent inside `functions`, wherever they are
    called from: every binding of them in our modules and in `callers` is wrapped, and put back
    on leaving. A call made within another is counted once, in the outer one."""

    def __init__(self, functions: frozenset[FunctionType], callers: tuple[str, ...] = (),
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.functions = functions
        self.callers = callers
        self.clock = clock
        self.seconds = 0.0
        self._depth = 0
        self._patched: list[tuple[ModuleType, str, FunctionType]] = []

    def _timed(self, fn: FunctionType) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return fn(*args, **kwargs)
            self._depth += 1
            started = self.clock()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += self.clock() - started
                self._depth -= 1
        return timed

    def __enter__(self) -> SharedClock:
        wrapped = {fn: self._timed(fn) for fn in self.functions}
        for name, module in list(sys.modules.items()):
            if not (name.startswith(f"{OURS}.") or name in self.callers):
                continue
            for attr, value in list(vars(module).items()):
                if isinstance(value, FunctionType) and value in wrapped:
                    setattr(module, attr, wrapped[value])
                    self._patched.append((module, attr, value))
        return self

    def __exit__(self, *exc: object) -> None:
        for module, attr, value in self._patched:
            setattr(module, attr, value)
        self._patched.clear()
