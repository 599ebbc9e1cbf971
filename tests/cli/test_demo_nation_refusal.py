"""``flask demo load --scale nation`` needs PostgreSQL: on SQLite it says so and changes nothing."""

from __future__ import annotations

from app import create_app


def test_the_nation_scale_is_refused_on_sqlite_with_a_message_and_nothing_written(tmp_path):
    path = tmp_path / "demo.sqlite3"
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{path}",
                      "SECRET_KEY": "test-secret-not-for-production"})
    result = app.test_cli_runner().invoke(args=["demo", "load", "--scale", "nation", "--reset"])
    assert result.exit_code == 1
    assert "the nation-scale demo needs PostgreSQL" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert not path.exists() or path.stat().st_size == 0  # not even migrated
