"""``courseforge serve``: the review LMS (catalog, launch, attempts, the upload API ``courseforge publish`` uses).

Its storage comes from courseforge.yaml's ``review:`` section (default: ``<output>/review/``) of the project
around the working folder, or from ``--db``/``--store`` anywhere (an LMS admin checking vendor packages needs
no project). ``--add-user`` and ``--add-token`` manage users and print the new token once, then exit.
``--watch`` (in a project) rebuilds what a change touches and publishes each good build as the newest version,
live-reloading the open pages (courseforge/lms/review/watching.py).
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from courseforge.commands.common import NO_PROJECT_HINT, current_project, display_path
from courseforge.commands.output import Reporter, reporting_options
from courseforge.project import CONFIG_NAME, find_root

if TYPE_CHECKING:
    from courseforge.lms.review.server import ReviewServer
    from courseforge.lms.review.service import ReviewPaths
    from courseforge.lms.review.watching import FailedBuild, PublishedBuild, WatchSession
    from courseforge.project import Project

MIB = 1024 * 1024
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def review_paths(reporter: Reporter, database: Path | None, store: Path | None, max_upload_mb: int | None,
                 ) -> tuple[ReviewPaths, Path | None]:
    """The storage paths (``ReviewPaths``) and the project root (None outside a project)."""
    from courseforge.lms.review.service import DEFAULT_MAX_UPLOAD_MB, ReviewPaths

    if database is not None or store is not None:
        if database is None or store is None:
            raise click.UsageError("--db and --store go together (the database and the package store)")
        return ReviewPaths(database, store, (max_upload_mb or DEFAULT_MAX_UPLOAD_MB) * MIB), None
    if find_root(Path.cwd()) is None:
        raise click.UsageError(f"no {CONFIG_NAME} in {Path.cwd()} or any folder above it; {NO_PROJECT_HINT}, "
                               "or give the storage with --db FILE --store FOLDER")
    project = current_project(reporter)
    settings = project.config.review
    default = project.output_dir / "review"
    return ReviewPaths(project.root / settings.database if settings.database else default / "review.sqlite",
                       project.root / settings.packages if settings.packages else default / "packages",
                       (max_upload_mb or settings.max_upload_mb) * MIB), project.root


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the LMS is reachable from this machine only unless you change it.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--public-url", metavar="URL",
              help="The address browsers use, when not the bound one (with --host 0.0.0.0, or behind a proxy).")
@click.option("--db", "database", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite database (created if missing); with --store, instead of courseforge.yaml's review:.")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path),
              help="Package store folder (zips by sha256, extracted once); with --db.")
@click.option("--max-upload-mb", type=click.IntRange(1, 100_000),
              help="Largest upload accepted, in MiB [default: courseforge.yaml's review.max_upload_mb, else 512].")
@click.option("--add-user", "add_user", metavar="NAME", help="Add a user, print its API token once, and exit.")
@click.option("--role", type=click.Choice(["reviewer", "admin"]), default="reviewer", show_default=True,
              help="The role of --add-user: reviewers browse, launch and see attempts; admins also upload and delete.")
@click.option("--password-stdin", is_flag=True, help="With --add-user: read the user's browser password from stdin.")
@click.option("--add-token", "add_token", metavar="NAME", help="Print a new API token for user NAME, and exit.")
@click.option("--lms-runtime", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A node_modules folder holding scorm-again (see courseforge preview install-runtime).")
@click.option("--watch", is_flag=True,
              help="In a project: rebuild what a change in courses/, themes/ or locales/ touches, publish it as the "
                   "newest version and reload the open pages (a failed rebuild shows why; the last good one stays).")
@reporting_options
def serve(host: str, port: int, public_url: str | None, database: Path | None, store: Path | None,
          max_upload_mb: int | None, add_user: str | None, role: str, password_stdin: bool, add_token: str | None,
          lms_runtime: Path | None, watch: bool, reporter: Reporter) -> None:
    """Serve the review LMS: catalog, launch in an LMS frame, attempts, and the upload API (prints its URL).

    Storage comes from courseforge.yaml's review: section (default: build/review/), or from --db and --store
    outside a project. The first start creates the admin "admin" and writes its API token to admin.token beside
    the database. --add-user and --add-token print a new token once and exit; with --json, one document.

    \b
    Example:
      courseforge serve --port 8000
      courseforge serve --watch
      courseforge serve --add-user alice --role reviewer --password-stdin < alice.pass
      courseforge serve --db /srv/review/review.sqlite --store /srv/review/packages
    """
    if add_user and add_token:
        raise click.UsageError("--add-user and --add-token exclude each other")
    if password_stdin and not add_user:
        raise click.UsageError("--password-stdin goes with --add-user")
    if watch and (add_user or add_token):
        raise click.UsageError("--watch serves the LMS; --add-user and --add-token only manage users")
    paths, root = review_paths(reporter, database, store, max_upload_mb)
    if add_user or add_token:
        manage_users(reporter, paths, add_user, role, password_stdin, add_token)
        return
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise click.BadParameter("give an absolute http:// or https:// URL", param_hint="--public-url")
    project = watched_project(reporter) if watch else None
    run_server(reporter, paths, project.root if project is not None else root, host, port, public_url, lms_runtime,
               project)


def watched_project(reporter: Reporter) -> Project:
    """--watch builds the project around the working folder (with --db/--store too: they only move the storage)."""
    if find_root(Path.cwd()) is None:
        raise click.UsageError(f"--watch rebuilds a project's courses: no {CONFIG_NAME} in {Path.cwd()} or any "
                               f"folder above it; {NO_PROJECT_HINT}")
    return current_project(reporter)


def manage_users(reporter: Reporter, paths: ReviewPaths, add_user: str | None, role: str, password_stdin: bool,
                 add_token: str | None) -> None:
    from courseforge.lms.review.database import DuplicateUser, Role
    from courseforge.lms.review.service import open_database

    password = sys.stdin.read().rstrip("\r\n") if password_stdin else None
    if password_stdin and not password:
        raise click.UsageError("--password-stdin read an empty password")
    database = open_database(paths)
    try:
        if add_user:
            name = add_user.strip()
            if not name or not name.isprintable() or len(name) > 64:
                raise click.BadParameter("a user name is 1-64 printable characters", param_hint="--add-user")
            try:
                _, token = database.add_user(name, Role(role), password)
            except DuplicateUser as duplicate:
                raise click.ClickException(f"{duplicate}; give a new API token with --add-token {name}") from None
            shown_role = role
        else:
            assert add_token is not None
            name = add_token
            user = database.user_named(name)
            if user is None:
                raise click.ClickException(f"no user named {name!r} in {display_path(paths.database)}; add it with "
                                           f"--add-user {name}")
            token, shown_role = database.add_token(name), user.role.value
    finally:
        database.close()
    reporter.document({"ok": True, "user": name, "role": shown_role, "token": token,
                       "database": str(paths.database)})
    reporter.result(token)
    reporter.info(f"API token of {shown_role} {name!r} (shown once; the LMS keeps only its hash)")


def run_server(reporter: Reporter, paths: ReviewPaths, root: Path | None, host: str, port: int,
               public_url: str | None, lms_runtime: Path | None, project: Project | None = None) -> None:
    """Serve until Ctrl-C; with ``project``, watch it and publish each good build (stopped with the server)."""
    from courseforge.lms.review.server import ReviewServer
    from courseforge.lms.review.service import ensure_admin
    from courseforge.stages.preview.harness.runtime import RuntimeMissing, find_runtime

    try:
        runtime = find_runtime(lms_runtime, root)
    except RuntimeMissing as missing:
        raise click.ClickException(str(missing)) from None
    session = watch_session(reporter, project) if project is not None else None
    try:
        server: ReviewServer = (session.server(paths, runtime, host=host, port=port, public_url=public_url)
                                if session is not None else
                                ReviewServer(paths, runtime, host=host, port=port, public_url=public_url))
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    except sqlite3.Error as error:
        raise click.ClickException(f"{display_path(paths.database)}: cannot open the review database: {error}") \
            from None
    if session is not None:
        start_watching(session, server)
    created = ensure_admin(server.lms.database, paths.admin_token_file)
    reporter.document({"ok": True, "url": server.url, "database": str(paths.database), "store": str(paths.packages),
                       "admin_token_file": str(paths.admin_token_file) if created else None})
    reporter.result(server.url)
    if host in WILDCARD_HOSTS and public_url is None:
        reporter.info(f"listening on every address of this machine; give --public-url with the address browsers use "
                      f"(content gets {server.url} in its launch URLs)", style="yellow")
    if created:
        reporter.info(f"first start: created user 'admin'; its API token is in {display_path(paths.admin_token_file)} "
                      "(readable by you only)")
    if session is None:
        server.run()
        return
    watch_while_serving(reporter, session, server)


def watch_session(reporter: Reporter, project: Project) -> WatchSession:
    from courseforge.lms.review.watching import WatchSession

    return WatchSession(project, lambda build: report_build(reporter, build))


def watch_while_serving(reporter: Reporter, session: WatchSession, server: ReviewServer) -> None:
    reporter.info(f"watching {display_path(session.builder.project.root)}: each good build becomes the newest "
                  "version; Ctrl-C stops")
    try:
        server.run()
    finally:
        session.stop()


def start_watching(session: WatchSession, server: ReviewServer) -> None:
    """Watch and build into the LMS before its address is printed: a system that refuses to watch is an error."""
    from courseforge.lms.review.watch import WatchUnavailable

    try:
        session.start(server.lms.library)
    except WatchUnavailable as refused:
        session.stop()
        server.close()
        raise click.ClickException(str(refused)) from None


def report_build(reporter: Reporter, build: PublishedBuild | FailedBuild) -> None:
    """One line per published build; a failed rebuild's diagnostics in courseforge's file:line format (stderr)."""
    from courseforge.lms.review.watching import PublishedBuild

    if isinstance(build, PublishedBuild):
        reporter.info(build.summary())
    elif build.diagnostics:
        reporter.failure(f"{build.course_id}: the rebuild failed; still serving its last good build"
                         f"{f' (build {build.generation})' if build.generation else ' (none yet)'}")
        reporter.diagnostics(build.diagnostics)
    else:
        reporter.info(f"{build.course_id}: builds again")
