"""``courseforge publish``: build (as ``build`` does, from the cache when nothing changed), then send the packages
to a target: the review LMS, SCORM Cloud, an SFTP drop or a folder (stages/publish, chosen by URL scheme)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from courseforge.commands.common import current_project, project_options, source_date_epoch, summary_line
from courseforge.commands.output import Reporter, reporting_options
from courseforge.commands.selection import CourseSelector, Selection, parse_formats, parse_locales, selection_options
from courseforge.diagnostics import DiagnosticSink
from courseforge.project import Project

if TYPE_CHECKING:
    from courseforge.model.package import PackageFormat
    from courseforge.model.publish import PackageFile, PublishResult, PublishTarget
    from courseforge.stages.publish.context import PublishContext

BUILT_IN_REVIEW = "review"
ACTION_WORDS = {"uploaded": "uploaded", "present": "already there", "would-upload": "would upload",
                "failed": "FAILED"}


def chosen_target(project: Project, option: str | None) -> tuple[str, PublishTarget]:
    """--target as a name of courseforge.yaml's publish.targets or a URL; without it publish.default, else the
    target named 'review', else the local review LMS. An unknown name is a usage error (exit 2)."""
    from pydantic import ValidationError

    from courseforge.model.publish import DEFAULT_REVIEW_URL, PublishTarget

    settings = project.config.publish
    if option is not None and ":" in option:
        try:
            return option, PublishTarget(url=option)
        except ValidationError as error:
            reason = "; ".join(str(item["msg"]).removeprefix("Value error, ") for item in error.errors())
            raise click.BadParameter(reason, param_hint="--target") from None
    name = option or settings.default or BUILT_IN_REVIEW
    if name in settings.targets:
        return name, settings.targets[name]
    if option is None and name == BUILT_IN_REVIEW:
        return name, PublishTarget(url=DEFAULT_REVIEW_URL)
    named = ", ".join(sorted(settings.targets)) or "none in courseforge.yaml"
    raise click.BadParameter(f"unknown target '{name}' (named: {named}); give a name from publish.targets or a "
                             "URL (http://..., scormcloud://..., sftp://..., folder:...)", param_hint="--target")


def review_token_file(project: Project) -> Path:
    """Where ``courseforge serve`` writes its admin token at first start: beside its database."""
    database = project.config.review.database
    folder = (project.root / database).parent if database else project.output_dir / "review"
    return folder / "admin.token"


def built_packages(project: Project, selection: Selection, locales: tuple[str, ...], formats: tuple[PackageFormat, ...],
                   reporter: Reporter, sink: DiagnosticSink) -> list[PackageFile] | None:
    """The selected courses built as ``build`` builds them (unchanged units from the cache, outputs swapped in
    whole); None when the build failed (its diagnostics are in ``sink``)."""
    from courseforge.commands.build import build_and_commit, output_folder_problem
    from courseforge.commands.build_cache import cache_folder
    from courseforge.model.publish import PackageFile
    from courseforge.parallel import available_cores

    folders = list(selection.folders)
    if not folders:
        return []
    out = project.output_dir.resolve()
    if output_folder_problem(project, out, sink):
        return None
    options = project_options(project, locales=locales, formats=formats, source_date_epoch=source_date_epoch())
    built = build_and_commit(project, folders, out, options, project.config.build.jobs or available_cores(),
                             cache_folder(project, out, None, False), 10.0, reporter, sink)
    if built is None:
        return None
    builds, _, cached = built
    reporter.detail(f"built {sum(len(b.packages) for b in builds)} package(s), {cached} from the cache")
    return [PackageFile(course=build.course.id, version=build.course.manifest.version, locale=item.package.locale,
                        format=item.package.format.value,
                        path=str(out / item.package.course_id / item.package.locale / item.package.filename),
                        sha256=item.package.sha256, size=item.package.size)
            for build in builds for item in build.packages]


def publish_context(project: Project, name: str, target: PublishTarget, dry_run: bool,
                    reporter: Reporter) -> PublishContext:
    from courseforge.stages.publish.context import PublishContext
    from courseforge.stages.publish.errors import Redactor
    from courseforge.stages.publish.retry import RetryPolicy

    redactor = Redactor()
    return PublishContext(name=name, target=target, project_root=project.root,
                          review_token_file=review_token_file(project), environment=dict(os.environ),
                          redactor=redactor, retry=RetryPolicy(retries=target.retries), dry_run=dry_run,
                          log=lambda line: reporter.detail(redactor.scrub(line)),
                          downloads=project.output_dir / "publish")


def result_line(result: PublishResult) -> str:
    package = result.package
    where = f"  version {result.version}" if result.version else ""
    url = f"  {result.url}" if result.url else ""
    message = f"  ({result.message})" if result.message else ""
    return (f"{package.course}/{package.locale}/{package.format}  sha256 {package.sha256[:12]}  "
            f"{ACTION_WORDS[result.action.value]}{where}{url}{message}")


def fail(reporter: Reporter, document: dict[str, object], message: str) -> NoReturn:
    document["ok"] = False
    document["error"] = message
    reporter.document(document)
    reporter.failure(message)
    raise SystemExit(1)


@click.command()
@click.argument("courses", nargs=-1)
@click.option("--target", "target_option", metavar="NAME|URL", default=None,
              help="A target of courseforge.yaml's publish.targets, or a URL (http://host:port for a review LMS, "
                   "scormcloud://host/api/v2, sftp://user@host:port/folder, folder:path); default: "
                   "publish.default, else the local review LMS.")
@click.option("--dry-run", is_flag=True, help="Build, then say what would be uploaded or is already there; send "
                                              "nothing.")
@click.option("--locale", "locales", default=None,
              help="Locales to build and publish besides the source language, as for build (default: "
                   "build.locales).")
@click.option("--format", "formats", default=None, callback=parse_formats,
              help="Package formats to build and publish (default: courseforge.yaml's build.formats).")
@selection_options
@reporting_options
def publish(courses: tuple[str, ...], target_option: str | None, dry_run: bool, locales: str | None,
            formats: tuple[PackageFormat, ...], selector: CourseSelector, reporter: Reporter) -> None:
    """Build the selected courses and publish their packages to a target (review LMS, SCORM Cloud, SFTP, folder).

    The build is the one 'build' makes with the same options (unchanged packages come from the build cache
    at no cost, the outputs are written to build/ as 'build' writes them), so what is published is always what
    the sources say, also in a CI job on merge that runs publish alone. Publishing is idempotent: a package
    whose sha256 the target already has is not sent again; a changed one becomes a new version, earlier
    versions are kept. Network errors are retried with backoff (publish.targets.<name>.retries); a refusal
    stops with the server's message and exit 1; a failed run undoes what it sent. Secrets come from the
    environment variables (or files) the target names and are never printed.

    \b
    Example:
      courseforge publish                                    # everything, to the local review LMS
      courseforge publish --target cloud --changed-since origin/main --json
      courseforge publish workplace-safety --target folder:build/publish --dry-run
    """
    from courseforge.stages.publish import default_publishers
    from courseforge.stages.publish.errors import PublishError

    project = current_project(reporter)
    name, target = chosen_target(project, target_option)
    try:
        publisher = default_publishers().for_url(target.url)
    except PublishError as error:
        raise click.BadParameter(str(error), param_hint="--target") from None
    selection = selector.select(project, courses)
    selection.report(project, reporter)
    sink = DiagnosticSink()
    packages = built_packages(project, selection, parse_locales(locales, project), formats, reporter, sink)
    reporter.diagnostics(sink)
    document: dict[str, object] = {"ok": True, "target": name, "url": target.url, "dry_run": dry_run,
                                   "results": [], "errors": sink.error_count, "warnings": sink.warning_count,
                                   "diagnostics": [d.to_json() for d in sink], "selection": selection.to_json(project)}
    if packages is None:
        fail(reporter, document, f"publish failed: the build failed ({summary_line(sink)}); nothing was published")
    context = publish_context(project, name, target, dry_run, reporter)
    try:
        results = publisher.publish(packages, context) if packages else []
    except PublishError as error:
        notes = "".join(f"; {note}" for note in getattr(error, "__notes__", ()))
        fail(reporter, document, context.redactor.scrub(f"publish to '{name}' failed: {error}{notes}"))
    document["results"] = [result.to_json() for result in results]
    for result in results:
        reporter.result(context.redactor.scrub(result_line(result)))
    counts = {action: sum(r.action.value == action for r in results) for action in ACTION_WORDS}
    reporter.info(f"{name}: {counts['uploaded']} uploaded, {counts['present']} already there"
                  + (f", {counts['would-upload']} would be uploaded (dry run)" if dry_run else "")
                  if packages else f"nothing to publish: {selection.nothing_to_do()}")
    reporter.document(document)
