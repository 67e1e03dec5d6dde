"""The build cache's pickling: what it may hold, checked both ways.

Loading uses an unpickler that only accepts digest's record types and a few
standard-library types (``ALLOWED``), so even a forged cache file cannot run
code; and what that unpickler would refuse is refused when it is written,
too, by the same allow-list, checked while pickling (:class:`_CheckedPickler`),
never stored to read back as an empty section (digest.engine.cache turns a
refusal into a warning, or with ``strict`` into CacheTypeError).
"""

from __future__ import annotations

import copyreg
import io
import pickle
from types import BuiltinFunctionType, FunctionType
from typing import Any
from zoneinfo import ZoneInfo

ALLOWED = {
    ("digest.site.records", "Article"), ("digest.site.records", "Mention"),
    ("digest.site.recordcopy", "from_values"),  # how an Article pickles (Article.__reduce__)
    ("digest.errors", "Diagnostic"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "timezone"),
    ("datetime", "timedelta"), ("zoneinfo", "ZoneInfo"), ("zoneinfo._zoneinfo", "ZoneInfo"),
    ("pathlib", "PurePosixPath"), ("builtins", "frozenset"), ("builtins", "set"),
    ("copyreg", "_reconstructor"), ("builtins", "object"),
    # term counts (enrich.textvec.count_terms): arrays are rebuilt from raw bytes
    ("array", "array"), ("array", "_array_reconstructor"),
}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def loads(data: bytes, start: int = 0) -> Any:
    # A BytesIO of a bytes object shares it: the file read is not copied, and
    # unpickling starts after its signature and schema (BuildCache._read_file).
    stream = io.BytesIO(data)
    stream.seek(start)
    return _SafeUnpickler(stream).load()


class Refused(Exception):
    """A global the unpickler would refuse, met while pickling (``args[0]``: its name)."""


# Types whose instances pickle as a call (a reduce tuple), seen to be so once:
# the callable and its arguments are saved in turn, and checked there.
_BY_CALL: set[type] = {dict, list, tuple, str, bytes, int, float, set, frozenset}
_BY_REFERENCE = (type, FunctionType, BuiltinFunctionType)


def _zone(zone: ZoneInfo) -> tuple:
    # ZoneInfo pickles as getattr(ZoneInfo, "_unpickle")(...), and getattr is
    # no type a cache may call: ZoneInfo(key) is the same (cached) zone.
    if zone.key is None:
        raise Refused(f"zoneinfo.ZoneInfo from a file ({zone!r})")
    return (ZoneInfo, (zone.key,))


class _CheckedPickler(pickle.Pickler):
    """pickle.Pickler that refuses what :class:`_SafeUnpickler` would: every
    global it writes is a class, function or name-reduced object, and each of
    those passes through :meth:`reducer_override` (once per pickle: the memo
    has them after), where it is checked against ``ALLOWED``.  Instances
    cost a set lookup (``_BY_CALL``); the containers pickle never offers."""

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind in _BY_CALL:
            return NotImplemented
        if kind is ZoneInfo:
            return _zone(obj)
        if isinstance(obj, _BY_REFERENCE):
            _check_global(obj, getattr(obj, "__qualname__", None) or obj.__name__)
            return NotImplemented
        reduce = copyreg.dispatch_table.get(kind)
        value = reduce(obj) if reduce is not None else obj.__reduce_ex__(5)
        if isinstance(value, str):  # pickled as a global name: a singleton
            _check_global(obj, value)
        else:
            _BY_CALL.add(kind)
        return NotImplemented


def _check_global(obj: Any, name: str) -> None:
    module = getattr(obj, "__module__", None) or pickle.whichmodule(obj, name)
    if (module, name) not in ALLOWED:
        raise Refused(f"{module}.{name}")


def dumps(value: Any) -> bytes:
    """``pickle.dumps(value, protocol=5)``; raises Refused for what the cache
    cannot read back."""
    buf = io.BytesIO()
    _CheckedPickler(buf, protocol=5).dump(value)
    return buf.getvalue()
