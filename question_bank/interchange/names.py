"""Unique names for ids and files: the wanted one, or a numbered variant when it is taken."""
from __future__ import annotations

from typing import Callable, Iterable


class UniqueNames:
    """Names in use. Numbers continue where the last copy of a name stopped, so n copies cost n steps, not n²."""

    def __init__(self, reserved: Iterable[str] = (), fold: Callable[[str], str] = str) -> None:
        self.fold = fold  # how names compare: str.lower for file names on case-insensitive disks
        self.used = {fold(name) for name in reserved}
        self.next_number: dict[str, int] = {}

    def __contains__(self, name: str) -> bool:
        return self.fold(name) in self.used

    def take(self, name: str, numbered: Callable[[int], str]) -> str:
        """`name` when free, else the first free `numbered(n)` for n = 2, 3, ...; taken from now on."""
        if name in self:
            key = self.fold(name)
            number = self.next_number.get(key, 2)
            while numbered(number) in self:
                number += 1
            self.next_number[key] = number + 1
            name = numbered(number)
        self.used.add(self.fold(name))
        return name
