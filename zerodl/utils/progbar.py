"""Keras-style progress output: a bar rewritten in place (verbose=1) or one line per epoch (verbose=2)."""
import sys
import time


def interactive():
    """Whether output can be redrawn in place: a terminal or a notebook (not a log file or a pipe)."""
    stream = sys.stdout
    return (hasattr(stream, "isatty") and stream.isatty()) or "ipykernel" in sys.modules


def format_value(value):
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"


def format_time(seconds):
    if seconds >= 1:
        return f"{seconds:.0f}s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms"
    return f"{seconds * 1e6:.0f}us"


class Progbar:
    """Shows progress over `target` steps. `update(current, values)` with values a dict name -> value.

    In a terminal or notebook the bar is redrawn on one line (at most every `interval` seconds);
    elsewhere (logs, pipes) only the final line is written, so output never floods.
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, unit_name="step"):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.start = time.perf_counter()
        self.last_draw = 0.0
        self.dynamic = interactive()
        self.last_length = 0

    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.perf_counter()
        if self.verbose != 1 or (not finalize and (not self.dynamic or now - self.last_draw < self.interval)):
            if finalize and self.verbose == 2:
                self._write_epoch_line(current, values or {}, now)
            return
        self.last_draw = now
        elapsed = now - self.start
        line = self._bar(current)
        per_step = elapsed / max(current, 1)
        if finalize:
            line += f" - {elapsed:.0f}s {format_time(per_step)}/{self.unit_name}"  # Keras: whole seconds
        else:
            line += f" - ETA: {format_time(per_step * ((self.target or current) - current))}"
        line += "".join(f" - {name}: {format_value(value)}" for name, value in (values or {}).items())
        padding = " " * max(0, self.last_length - len(line))
        self.last_length = len(line)
        sys.stdout.write(("\r" if self.dynamic else "") + line + padding + ("\n" if finalize else ""))
        sys.stdout.flush()

    def _bar(self, current):
        if self.target is None:
            return f"{current:7d}/Unknown"
        digits = len(str(self.target))
        done = int(self.width * current / self.target) if self.target else self.width
        arrow = ">" if current < self.target else "="
        bar = "=" * max(done - 1, 0) + (arrow if done else "") + "." * (self.width - done)
        return f"{current:{digits}d}/{self.target} [{bar}]"

    def _write_epoch_line(self, current, values, now):
        elapsed = now - self.start
        line = f"{current}/{self.target} - {elapsed:.0f}s"
        line += "".join(f" - {name}: {format_value(value)}" for name, value in values.items())
        line += f" - {format_time(elapsed)}/epoch - {format_time(elapsed / max(current, 1))}/{self.unit_name}"
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
