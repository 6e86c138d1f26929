"""The one error type a caller of the engine can fix: a bad argument, empty text, missing weights.

It lives at the bottom of the package so that the maths, the models and the
probe registry can all raise it without importing each other.
"""


class ProbeError(Exception):
    """A problem the caller can fix (bad argument, empty text, missing weights)."""
