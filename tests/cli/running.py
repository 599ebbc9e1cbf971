"""Run a ``flask`` command in tests the way the ``flask`` executable runs it.

The executable (``flask.cli.FlaskGroup``) pushes an application context before any command of the
app runs. ``app.test_cli_runner()`` alone does not for commands in plain ``click.Group``s, which is
how ``app/cli`` declares them (see ``test_commands_run_under_the_flask_test_runner_alone``), so the
context is pushed here, once per command, and popped afterwards so the command's session closes.
"""

from __future__ import annotations

from click.testing import Result


def run_command(app, runner, *args: str, input: str | None = None) -> Result:
    """Invoke ``flask ARGS…`` with ``input`` on standard input; the Click result."""
    with app.app_context():
        return runner.invoke(args=list(args), input=input)
