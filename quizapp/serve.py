"""`quizapp serve`: the same app in a web browser, through textual-serve.

Every browser tab that connects starts `quizapp --tui` with the same options in a
process of its own, under this user's account and with this user's progress database
(one learner's progress, as in the terminal). It listens on localhost unless told
otherwise, and says that anyone who can reach the port can use the app as this user.
"""
from __future__ import annotations

import argparse
import shlex
import sys

from quizapp.i18n import _


def serve_parser() -> argparse.ArgumentParser:
    from quizapp.cli_args import add_selection

    parser = argparse.ArgumentParser(prog="quizapp serve",
                                     description=_("Serve the app to a web browser (textual-serve)."))
    parser.add_argument("--host", default="127.0.0.1",
                        help=_("address to listen on (default 127.0.0.1: this computer only)"))
    parser.add_argument("--port", type=int, default=8000, help=_("port to listen on (default 8000)"))
    add_selection(parser)
    return parser


def app_command(ns: argparse.Namespace, lang: str) -> str:
    """The command each browser connection runs: the full-screen app with the same choices."""
    args = [sys.executable, "-m", "quizapp", "--tui", "--lang", lang]
    for path in ns.pack:
        args += ["--pack", str(path.resolve())]
    for topic in ns.topic:
        args += ["--topic", topic]
    if ns.count is not None:
        args += ["--count", str(ns.count)]
    if ns.seed is not None:
        args += ["--seed", str(ns.seed)]
    return shlex.join(args)


def serve_main(argv: list[str]) -> int:
    from quizapp import i18n
    from quizapp.catalog import missing_pack_error

    parser = serve_parser()
    try:
        ns = parser.parse_args(argv)
        if not 0 < ns.port < 65536:
            parser.error(_("--port must be between 1 and 65535"))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    error = missing_pack_error("quizapp serve", ns.pack)
    if error:
        print(error, file=sys.stderr)
        return 2
    from textual_serve.server import Server

    class QuizServer(Server):
        async def on_startup(self, app) -> None:  # instead of textual-serve's logo and banner
            print(_("quizapp is served at {url}").format(url=self.public_url), flush=True)
            print(_("Warning: anyone who can reach this address and port can use quizapp as you, with your "
                    "progress. Stop with Ctrl+C."), flush=True)

    host = ns.host
    shown = f"[{host}]" if ":" in host else host
    server = QuizServer(app_command(ns, i18n.language()), host=host, port=ns.port, title="quizapp",
                        public_url=f"http://{shown}:{ns.port}")
    try:
        server.serve()
    except OSError as error:
        print(_("quizapp serve: error: cannot listen on {host}:{port}: {error}").format(
            host=host, port=ns.port, error=error.strerror or error), file=sys.stderr)
        return 1
    return 0
