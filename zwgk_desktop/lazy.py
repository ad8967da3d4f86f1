"""`lazy_exports`: a package's public names imported from their submodules on first use (PEP 562).

A package that re-exports its submodules' names would otherwise import all
of them with itself; start-up and the CLI's fast paths import one submodule
and must not pay for the rest.
"""

from __future__ import annotations

import importlib
from typing import Callable


def lazy_exports(package: str, exports: dict[str, str], namespace: dict) -> tuple[Callable, Callable]:
    """The `__getattr__` and `__dir__` of `package`: name → its submodule (`exports`), imported when asked and
    then kept in the package's `namespace` (its globals())."""

    def __getattr__(name: str):
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
