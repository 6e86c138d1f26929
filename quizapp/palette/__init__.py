"""The command palette (ctrl+p): the current screen's actions, the labs, the language and quit, by name.

Imported when the palette first opens, never on the way to the first screen.
"""
