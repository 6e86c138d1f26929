"""The learner's remembered choices: a small JSON object in the user data folder.

    settings.get("lang")            → "de" or None
    settings.put("lang", "de")      → written at once, atomically

Reading never fails: a missing, unreadable or damaged file reads as empty (a
damaged one is kept aside as settings.json.damaged so nothing is lost). Writing
is atomic (quizapp.files): a full disk or a crash leaves the old settings intact.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from quizapp.files import why, write_atomic
from quizapp.i18n import _
from quizapp.locations import settings_path

MAX_BYTES = 1 << 20  # settings are a handful of keys; anything larger is not ours


class SettingsError(Exception):
    """The settings could not be saved (the message says why, in one line)."""


def load(path: Path | None = None) -> dict[str, Any]:
    path = path or settings_path()
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError  # too large: not ours
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError  # not an object: damaged
        return data
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        try:
            path.replace(path.with_name(path.name + ".damaged"))
        except OSError:
            pass
        return {}


def get(key: str, default: Any = None, path: Path | None = None) -> Any:
    return load(path).get(key, default)


def put(key: str, value: Any, path: Path | None = None) -> None:
    """Remember one value; raises SettingsError when it cannot be written."""
    path = path or settings_path()
    data = load(path)
    data[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
    except OSError as exc:
        raise SettingsError(_("could not save settings to {path}: {reason}").format(path=path, reason=why(exc))) from None
