"""Run a terminal program in a pseudo-terminal and time when text first shows on its screen.

The benchmarks measure what a person sees: from the moment the process is
started (or a key is sent) to the moment the program has written a given text
to its terminal. Nothing runs inside the measured program; its escape
sequences are stripped and the text it wrote is searched.
"""
from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

# CSI, OSC and two-character escape sequences: what is left is the text written to the screen.
_ESCAPE = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP[^\x1b]*\x1b\\|\x1b[@-Z\\-_=>]")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Terminal:
    """One program in a pty of `size` (columns, rows); the clock starts when it is spawned."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (100, 32)) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.master = master
        self.output = bytearray()  # everything written, escape sequences removed
        self._raw = bytearray()
        self.t0 = time.perf_counter()
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:  # the program has exited and closed the pty
            raise RuntimeError(f"the program exited; it wrote: {self.text()[-500:]!r}") from None
        if not chunk:
            raise RuntimeError(f"the program exited; it wrote: {self.text()[-500:]!r}")
        self._raw += chunk
        # Strip complete sequences only; a sequence cut at the end of the chunk waits for the rest.
        cut = self._raw.rfind(b"\x1b")
        keep = self._raw[cut:] if cut >= 0 and len(self._raw) - cut < 64 else b""
        done = self._raw[:len(self._raw) - len(keep)]
        self.output += _ESCAPE.sub(b"", bytes(done))
        self._raw = bytearray(keep)
        return True

    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def wait_for(self, marker: str, after: int = 0, timeout: float = 60.0) -> float:
        """perf_counter() at which `marker` first shows in the text written after byte `after`."""
        wanted = marker.encode()
        end = time.perf_counter() + timeout
        while wanted not in self.output[after:]:
            if time.perf_counter() > end:
                raise TimeoutError(f"{marker!r} did not show within {timeout:.0f} s; last text: "
                                   f"{self.text()[-300:]!r}")
            self._read(0.2)
        return time.perf_counter()

    def since_start(self, marker: str, timeout: float = 60.0) -> float:
        return self.wait_for(marker, timeout=timeout) - self.t0

    def press(self, keys: str, marker: str, timeout: float = 60.0) -> float:
        """Seconds from sending `keys` to `marker` showing in what is written after them."""
        self.drain()
        mark = len(self.output)
        start = time.perf_counter()
        os.write(self.master, keys.encode())
        return self.wait_for(marker, after=mark, timeout=timeout) - start

    def drain(self, quiet: float = 0.0) -> None:
        """Read what is waiting (and, with `quiet`, until nothing more comes for that long)."""
        while self._read(quiet):
            pass

    def pids(self) -> list[int]:
        """The program's process and every process it started (quizapp's engine process), from /proc."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo += [int(child) for child in (task / "children").read_text().split()]
            except OSError:  # ended meanwhile
                pass
        return found

    def rss_mb(self) -> float:
        """Resident memory of the program and the processes it started, now, in MB (from /proc)."""
        total = 0
        for pid in self.pids():
            try:
                lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            except OSError:
                continue
            total += sum(int(line.split()[1]) for line in lines if line.startswith("VmRSS:"))
        return total / 1024 if total else float("nan")

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        os.close(self.master)

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
