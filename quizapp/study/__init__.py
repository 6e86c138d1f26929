"""Study logic: drawing, shuffling, checking and scoring. Plain Python, no textual."""
