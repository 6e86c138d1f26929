"""`quizapp engine ...`: argument parsing, training commands and the rich drawings of probe results.

The only part of the engine that imports rich.
"""
from engine.cli.commands import build_parser, main

__all__ = ["build_parser", "main"]
