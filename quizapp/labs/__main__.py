"""`python -m quizapp.labs [LAB [PROBE]]`: open one lab (or the menu) on its own, e.g. `attention`."""
from __future__ import annotations

import sys

from quizapp.labs import LABS, labs_menu, open_lab
from quizapp.labs.host import LabHost
from quizapp.i18n import _


def main(argv: list[str]) -> int:
    keys = [info.key for info in LABS]
    if argv and argv[0] not in keys:
        print(_("unknown lab {name!r}; one of: {keys}").format(name=argv[0], keys=", ".join(keys)), file=sys.stderr)
        return 2
    screen = open_lab(argv[0], argv[1] if len(argv) > 1 else None) if argv else labs_menu()
    LabHost(screen).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
