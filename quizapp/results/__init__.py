"""Class results: the learner's answers out as JSON Lines, and the instructor's item analysis.

- `export`: the progress database → one JSON object per answer (`quizapp results export`).
- `reading`: result files → compact columns, every malformed line named by file:line.
- `analysis`: facility, discrimination, distractors, flags, topics, KR-20 (numpy only).
- `terminal`, `html`, `charts`: the report as a rich table, as JSON-ready data, as one HTML file.
- `simulate`: a class drawn from a two-parameter IRT model, to check the report against known truth.
- `cli`: `quizapp results ...` and `quizapp report ...`.
"""
