"""What every lab test needs: wait until a lab has computed what was typed."""


async def settle(app, pilot, timeout=10.0):
    """Wait for the lab's debounce timers, workers and result messages."""
    await pilot.pause()
    for _ in range(int(timeout / 0.02)):
        if getattr(app.screen, "idle", True) and not any(w.is_running for w in app.workers):
            break
        await pilot.pause(0.02)
    await pilot.pause()
