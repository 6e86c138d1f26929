"""Evidence under an explanation: each live block's probe run at that moment, drawn small, captioned.

`cache` keeps probe results for the session, `draw` turns a result into a few
lines of rich text per probe kind, and `panel` is the widget the question and
review screens mount.
"""
