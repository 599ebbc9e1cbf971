"""Running the app: schema migrations, backups, health."""
