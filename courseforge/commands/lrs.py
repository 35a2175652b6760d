"""``courseforge lrs``: the embedded xAPI 1.0.3 Learning Record Store on SQLite."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import click

from courseforge.lms.lrs.auth import CredentialsFileError, StaticCredentials, load_credentials

EXAMPLE = """\b
Example:
  courseforge lrs --port 8080 --db build/lrs.sqlite --user preview --password s3cret
  # then point packages at endpoint http://127.0.0.1:8080/xAPI/ with Basic preview:s3cret
"""


def choose_credentials(user: str | None, password: str | None, file: Path | None) -> StaticCredentials:
    if file is not None and (user or password):
        raise click.UsageError("use --credentials FILE or --user/--password, not both")
    if file is not None:
        try:
            return load_credentials(file)
        except CredentialsFileError as error:
            raise click.BadParameter(str(error), param_hint="--credentials") from None
    if bool(user) != bool(password):
        raise click.UsageError("--user and --password go together")
    if user and ":" in user:
        raise click.BadParameter("a key cannot contain ':'", param_hint="--user")
    if user and password:
        return StaticCredentials({user: password})
    key, secret = "courseforge", secrets.token_urlsafe(12)
    click.echo(f"no credentials given: use key {key!r} and secret {secret!r}", err=True)
    return StaticCredentials({key: secret})


@click.command(epilog=EXAMPLE)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--db", "database", default=Path("lrs.sqlite"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="SQLite database (created if missing).")
@click.option("--user", help="Client key for HTTP Basic authentication.")
@click.option("--password", help="Client secret for --user.")
@click.option("--credentials", "credentials_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON file {"clients": [{"key": ..., "secret": ..., "name": ...}]}: one entry per client.')
def lrs(host: str, port: int, database: Path, user: str | None, password: str | None,
        credentials_file: Path | None) -> None:
    """Serve the xAPI 1.0.3 Learning Record Store under /xAPI/ (prints its URL)."""
    credentials = choose_credentials(user, password, credentials_file)
    from courseforge.lms.lrs.app import create_lrs_app
    from courseforge.lms.lrs.server import bind, make_server, url_of
    from courseforge.lms.lrs.sqlite import SchemaTooNew
    from courseforge.lms.lrs.store import open_store

    if not database.parent.is_dir():
        raise click.BadParameter(f"folder {database.parent} does not exist", param_hint="--db")
    try:
        store = open_store(database)
    except (sqlite3.Error, SchemaTooNew) as error:
        raise click.ClickException(f"{database}: cannot open the LRS database: {error}") from None
    try:
        sock = bind(host, port)
    except OSError as error:
        store.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    click.echo(url_of(sock, "/xAPI/"))
    server = make_server(create_lrs_app(store, credentials))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        store.close()
