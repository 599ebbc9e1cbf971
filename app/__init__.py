"""The application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.config import load_config


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, database, CSRF, i18n, security headers, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path, config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from app import db
    from app.cli import register_commands
    from app.web import register_web

    if app.config["TRUSTED_PROXIES"]:  # client address, scheme and host as the proxy saw them
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    db.init_app(app)
    register_web(app)
    register_commands(app)
    return app
