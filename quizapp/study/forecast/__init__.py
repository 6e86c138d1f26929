"""Exam readiness: the forecast of an exam score, how honest it has been, and what to study next.

Plain modules, no widget (the home line, the statistics screen and `quizapp stats` show them):

- `memory`: FSRS retrievability of a seen question at any moment; the pack's difficulty prior.
- `calibration`: the logistic map from those signals to the probability of a right answer,
  fitted on the learner's own stored (forecast, outcome) pairs.
- `model`: per question, per topic and for a mock exam, with an 80 % range.
- `predictor`: the forecast a session stores before each answer.
- `measure`: Brier score and reliability of the stored forecasts against two baselines.
- `suggest`: the topic where the next 20 minutes raise the forecast most.
- `history`: the series the statistics screen draws.

Nothing is imported here, so importing one module costs only that module.
"""
