"""How far the demo's background seeding has come: one small JSON file in the var directory.

`tinhso demo` serves as soon as the minimum is there (reference data, staff, the last few
working days of dossiers) and leaves the older history to a background process (`tinhso demo
--continue-history`). That process and the web server are separate processes, so they share
the progress through `VAR_DIR/demo-seeding.json`, written atomically (a temporary file renamed
over it) after every simulated day. The file also holds what the background process needs to
carry on after an interruption: the province, the seed, the simulated "now" and the days still
to simulate; each day is simulated with its own random stream, so the days can be played in
any order and a day interrupted halfway is rolled back and played again in full.

The web side only reads: `demo_progress()` (cached by the file's modification time) feeds the
banner "Đang tạo dữ liệu mẫu: 40 %" (`tinhso.demo.context`).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

FILE_NAME = "demo-seeding.json"


@dataclass
class SeedingProgress:
    """The demo's seeding: `done` of `total` dossiers simulated; `remaining_days` still to play."""

    total: int
    done: int
    province: str
    per_day: int
    seed: int
    now: str  # the simulated "now", an ISO instant: the background goes on with the same one
    remaining_days: list[str] = field(default_factory=list)
    finished: bool = False

    @property
    def percent(self) -> int:
        """Whole percent done, 100 only when finished (rounding never claims the end early)."""
        if self.finished or self.total <= 0:
            return 100
        return min(99, int(100 * self.done / self.total))


def progress_path() -> Path:
    return Path(settings.VAR_DIR) / FILE_NAME


def write_progress(progress: SeedingProgress, path: Path | None = None) -> None:
    """Replace the progress file at once (readers never see half a file)."""
    path = path or progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(asdict(progress), ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def read_progress(path: Path | None = None) -> SeedingProgress | None:
    """The progress in the file, or None when there is none (or it cannot be read)."""
    path = path or progress_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SeedingProgress(**data)
    except (OSError, ValueError, TypeError):
        return None


def clear_progress(path: Path | None = None) -> None:
    (path or progress_path()).unlink(missing_ok=True)


_cache: dict[str, tuple[int, SeedingProgress | None]] = {}


def demo_progress() -> SeedingProgress | None:
    """`read_progress()`, read again only when the file changed (a page view costs one stat)."""
    path = progress_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return None
    cached = _cache.get(str(path))
    if cached is not None and cached[0] == mtime:
        return cached[1]
    progress = read_progress(path)
    _cache[str(path)] = (mtime, progress)
    return progress
