"""Which commands the palette offers on each screen, with their names and help in the interface language.

A command runs a screen action, exactly as its key would (the same checks, the same
confirmations); the palette only lets the learner find it by name. Screens are told apart by
class name, so that this module never imports them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from textual.app import App, SystemCommand
from textual.screen import ModalScreen, Screen

from quizapp.i18n import N_, _, language_name, next_language
from quizapp.study.ratings import RATING_KEYS, rating_name


@dataclass(frozen=True)
class Command:
    name: str  # English, marked with N_: translated when the palette opens
    help: str
    action: str  # the screen's action, as a binding names it: "start", "move(1)"


SCREEN_COMMANDS: dict[str, tuple[Command, ...]] = {
    "HomeScreen": (
        Command(N_("Practice"), N_("Practise the selected topics, with feedback after every answer"), "start"),
        Command(N_("Mock exam"), N_("Set up a timed mock exam on the selected topics"), "exam"),
        Command(N_("Review due questions"), N_("The questions your review schedule has due today"), "review"),
        Command(N_("Drill weak topics"), N_("Questions from the topics you miss most often"), "drill"),
        Command(N_("Statistics"), N_("Your progress per pack, topic and question, and what to study next"), "stats"),
        Command(N_("Labs"), N_("All labs: tokens, positional encoding, attention, policy, PPO"), "labs"),
        Command(N_("Select all topics"), N_("Every topic of the highlighted pack"), "all_topics"),
    ),
    "QuestionScreen": (
        Command(N_("Open the lab"), N_("The lab behind this question's evidence, with its numbers"), "open_lab"),
        Command(N_("End the session"), N_("End this session now and see the summary"), "leave"),
    ),
    "ExamScreen": (
        Command(N_("Next question"), N_("Go to the next question of the exam"), "move(1)"),
        Command(N_("Previous question"), N_("Go back to the previous question"), "move(-1)"),
        Command(N_("Next open question"), N_("The next question without an answer, or flagged"), "next_open"),
        Command(N_("Flag this question"), N_("Mark this question to come back to it (again: unmark)"), "flag"),
        Command(N_("Submit the exam"), N_("Hand the exam in now and see the result"), "submit"),
    ),
    "SummaryScreen": (
        Command(N_("Review missed questions"), N_("The highlighted missed question with its feedback"), "open_missed"),
        Command(N_("Back to packs"), N_("The home screen: packs and topics"), "home"),
    ),
    "ExamResultScreen": (
        Command(N_("Review this question"), N_("The highlighted question with your answer and its feedback"),
                "open_item"),
        Command(N_("Back to packs"), N_("The home screen: packs and topics"), "home"),
    ),
    "StatsScreen": (
        Command(N_("Study next"), N_("Practise the questions the forecast says to study next"), "study_next"),
        Command(N_("Per question"), N_("Your record for every question of the pack"), "questions"),
        Command(N_("Back"), N_("Close the statistics"), "back"),
    ),
    "ReviewScreen": (
        Command(N_("Open the lab"), N_("The lab behind this question's evidence, with its numbers"), "open_lab"),
        Command(N_("Back"), N_("Back to the list"), "back"),
    ),
}
NO_LABS = {"ExamScreen"}  # an exam is taken without the labs' help


def commands_for(app: App, screen: Screen) -> Iterator[SystemCommand]:
    """The palette's commands for `screen` (the one under the palette)."""
    for command in SCREEN_COMMANDS.get(type(screen).__name__, ()):
        name, _paren, args = command.action.partition("(")
        if hasattr(screen, f"action_{name}") and screen.check_action(name, _params(args)) is not False:
            yield SystemCommand(_(command.name), _(command.help), _runner(screen, command.action))
    yield from _rating_commands(screen)
    if hasattr(screen, "action_toggle_language"):
        other = language_name(next_language(app.language))
        yield SystemCommand(_("Language: {language}").format(language=other),
                            _("The interface and the questions in {language}, remembered for next time").format(
                                language=other), _runner(screen, "toggle_language"))
    if not isinstance(screen, ModalScreen) and type(screen).__name__ not in NO_LABS:
        from quizapp.labs.catalog import LABS, open_lab
        for info in LABS:
            yield SystemCommand(_("Lab: {title}").format(title=_(info.title)), _(info.summary),
                                lambda key=info.key: app.push_screen(open_lab(key)))
    yield SystemCommand(_("Quit"), _("Quit quizapp; a session under way is kept and offered next time"),
                        app.action_quit)


def _rating_commands(screen: Screen) -> Iterator[SystemCommand]:
    """After an answer on the question screen: its review rating, as keys 1–4 change it."""
    tracker = getattr(screen, "tracker", None)
    if type(screen).__name__ != "QuestionScreen" or getattr(screen, "answer", None) is None \
            or tracker is None or tracker.last_rating is None:
        return
    for index, rating in enumerate(RATING_KEYS):
        yield SystemCommand(_("Review rating: {rating}").format(rating=rating_name(rating)),
                            _("Schedule this question's next review as {rating}").format(rating=rating_name(rating)),
                            _runner(screen, f"digit({index})"))


def _params(args: str) -> tuple[object, ...]:
    args = args.rstrip(")")
    return tuple(int(a) for a in args.split(",")) if args else ()


def _runner(screen: Screen, action: str) -> Callable[[], object]:
    return lambda: screen.run_action(action)
