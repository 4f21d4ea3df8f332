"""The command line's progress: one tqdm bar per stage on stderr (import, backup, restore)."""

from __future__ import annotations

import sys

from .i18n import _


class StageBar:
    """``bar(stage, done, total)``: a new bar whenever the stage changes, named by ``names`` (Spanish source
    strings, translated here); ``unit_of(stage)`` says what it counts and ``scaled`` which stages count bytes
    (shown as kB, MB…). Disabled, it does nothing (``--quiet``)."""

    def __init__(self, enabled: bool, names: dict[str, str], unit_of=lambda stage: " " + _("filas"),
                 scaled: tuple[str, ...] = ()):
        self.enabled, self.names, self.unit_of, self.scaled = enabled, names, unit_of, scaled
        self.bar, self.stage = None, None

    def __call__(self, stage, done, total):
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=_(self.names[stage]) if stage in self.names else stage,
                            unit=self.unit_of(stage), file=sys.stderr, leave=False, dynamic_ncols=True,
                            mininterval=0.3, unit_scale=stage in self.scaled)
        self.bar.total = max(total, done)
        self.bar.update(done - self.bar.n)  # tqdm redraws at most every mininterval

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
