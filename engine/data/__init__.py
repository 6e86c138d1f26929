"""The training corpus and the script that writes it."""
