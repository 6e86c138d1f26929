"""Wait on a condition in a Textual test, with a deadline: a condition that never holds fails the test
instead of hanging the suite."""
import time


async def until(pilot, condition, timeout: float = 30.0) -> None:
    """Let the app run until `condition()` holds (work put off with timers, tasks and workers)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        await pilot.pause(0.02)
