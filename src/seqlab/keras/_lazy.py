"""How each module of the Keras-shaped namespace finds its names: lazily, by name.

A module's ``__getattr__`` looks a Keras name up, at the moment it is used, in the seqlab
modules behind it (so names that seqlab gains later, e.g. ``layers.TextVectorization``,
appear here without a change), and stores what it found. A name seqlab lacks raises
``MissingKerasFeature`` (an ``AttributeError``), or ``MissingKerasImport`` (an
``ImportError``) for ``from seqlab.keras.layers import Conv2D``, whose message Python
would otherwise replace with "cannot import name": both name the Keras feature and the
nearest seqlab equivalent.
"""
from __future__ import annotations

import dis
import importlib
import sys

_IMPORT_FROM = dis.opmap.get("IMPORT_FROM")


class MissingKerasFeature(AttributeError):
    """A Keras name that seqlab does not provide; the message says what to use instead."""


class MissingKerasImport(ImportError):
    """``from seqlab.keras.X import NAME`` of a Keras name that seqlab does not provide."""


def keras_name(module_name: str) -> str:
    """``seqlab.keras.layers`` -> ``keras.layers``; ``seqlab.tensorflow`` -> ``tf``."""
    name = module_name.removeprefix("seqlab.")
    return "tf" + name.removeprefix("tensorflow") if name.startswith("tensorflow") else name


def missing_message(module_name: str, name: str, hint: str | None) -> str:
    feature = f"{keras_name(module_name)}.{name}"
    text = f"{feature} is not in seqlab, which covers Keras's sequence models (text, RNNs, 1-D convolutions)"
    if hint:
        return f"{text}. Nearest in seqlab: {hint}"
    return f"{text}; dir({module_name}) lists what {keras_name(module_name)} has here"


def namespace(module_name, sources=(), names=None, missing=None, resolve=None, extra=None):
    """``(__getattr__, __dir__)`` for a Keras-shaped module.

    Args:
        sources: dotted names of seqlab modules searched in order for a name.
        names: ``{keras name: "module:attribute"}`` for names found elsewhere or renamed.
        missing: ``{keras name: nearest seqlab equivalent}`` for the error message.
        resolve: ``f(name, value) -> value`` applied to what is found (e.g. a wrapper).
        extra: ``f(name) -> value or None``, asked when the sources lack a name.
    """
    names, missing = dict(names or {}), dict(missing or {})

    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = _find(name, sources, names)
        if value is _NOT_FOUND and extra is not None:
            found = extra(name)
            value = _NOT_FOUND if found is None else found
        if value is _NOT_FOUND:
            message = missing_message(module_name, name, missing.get(name))
            caller = sys._getframe(1)
            if _IMPORT_FROM is not None and caller.f_code.co_code[caller.f_lasti] == _IMPORT_FROM:
                raise MissingKerasImport(message, name=module_name)
            raise MissingKerasFeature(message)
        if resolve is not None:
            value = resolve(name, value)
        setattr(sys.modules[module_name], name, value)
        return value

    def __dir__():
        found = set(sys.modules[module_name].__dict__) | set(names)
        for module in filter(None, map(_optional_module, sources)):
            found |= set(getattr(module, "__all__", None) or
                         [n for n in vars(module) if not n.startswith("_")])
        return sorted(found)

    return __getattr__, __dir__


_NOT_FOUND = object()


def _optional_module(name):
    """The module, or None when it does not exist (yet: another part of seqlab may add it)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name and name.startswith(error.name):
            return None
        raise


def _find(name, sources, names):
    if name in names:
        module, _, attribute = names[name].partition(":")
        found = _optional_module(module)
        return _NOT_FOUND if found is None else getattr(found, attribute, _NOT_FOUND)
    for source in sources:
        module = _optional_module(source)
        if module is None or name.startswith("_") or not hasattr(module, name):
            continue
        public = getattr(module, "__all__", None)
        if public is None or name in public:
            return getattr(module, name)
    return _NOT_FOUND
