"""Run a ``flask`` command in tests through the app's own CLI runner."""

from __future__ import annotations

from click.testing import Result


def run_command(app, runner, *args: str, input: str | None = None) -> Result:
    """Invoke ``flask ARGS…`` with ``input`` on standard input; the Click result."""
    return runner.invoke(args=list(args), input=input)
