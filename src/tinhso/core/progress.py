"""Progress of a long command phase: a bar on a terminal, one line per phase otherwise.

`progress_bar(desc=…, total=…, unit=…)` returns tqdm's bar when the stream is a terminal; in a
log (systemd's journal, CI, a pipe) a bar's carriage returns are noise, so it returns a
`PhaseLine` with the same small surface (`update`, `total`, `refresh`, context manager) that writes
"<desc>: started" and "<desc>: <n> <unit> in <s> s" — one line at each end of the phase.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO, Any

from tqdm import tqdm


class PhaseLine:
    """A progress bar's stand-in off a terminal: a line when the phase starts and when it ends."""

    def __init__(self, *, desc: str, total: int | None, unit: str, file: IO[str], disable: bool) -> None:
        self.desc, self.total, self.unit, self.file, self.disable = desc, total, unit.strip(), file, disable
        self.n = 0
        self._started = time.monotonic()

    def __enter__(self) -> PhaseLine:
        self._started = time.monotonic()
        if not self.disable:
            of = f" ({self.total} {self.unit})" if self.total else ""
            self._write(f"{self.desc}: started{of}")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if not self.disable:
            state = "stopped after" if exc_type else "done,"
            self._write(f"{self.desc}: {state} {self.n} {self.unit} in {time.monotonic() - self._started:.1f} s")

    def update(self, n: int = 1) -> None:
        self.n += n

    def refresh(self) -> None:
        """Nothing to redraw: the end line says how far it got."""

    def close(self) -> None:
        """Like tqdm's: the context manager writes the end line."""

    def _write(self, line: str) -> None:
        self.file.write(line + "\n")
        self.file.flush()


def progress_bar(
    *, desc: str, total: int | None = None, unit: str = "it", disable: bool = False, file: IO[str] | None = None,
    **tqdm_options: Any,
) -> Any:
    """tqdm on a terminal, `PhaseLine` elsewhere; both written to `file` (default stderr)."""
    stream = file if file is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty():
        return tqdm(total=total, desc=desc, unit=unit, disable=disable, file=stream, **tqdm_options)
    return PhaseLine(desc=desc, total=total, unit=unit, file=stream, disable=disable)
