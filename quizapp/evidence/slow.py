"""Probes that take seconds (torch, many forward passes), with what to say while the learner waits.

The panel shows the message; `--plain` prints the engine command for them instead of running them.
"""
from quizapp.i18n import N_

SLOW_PROBES = {"ppo_step": N_("running one real PPO update (the first loads torch; this takes a while)…"),
               "compare_stages": N_("sampling answers from the three models…"),
               "kl": N_("comparing two policies…")}  # English; translated with _() where shown
