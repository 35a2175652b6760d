"""The runtime of any one package, JS plus CSS, stays at or under 20 KB gzip (issue 10).

Measured as a learner's browser fetches it without a shared cache: every ``runtime/*.js`` and ``theme/*.css``
of the package gzipped on its own at level 9, summed. Every registered format is built, so a format added
later is held to the budget too.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import Package, PackageFormat
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.load_theme import builtin_layer
from courseforge.stages.package import default_packagers
from courseforge.stages.render import runtime_scripts
from courseforge.standards import profile_for

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "courses" / "workplace-safety"
BUDGET = 20_000
"""Bytes: 20 KB, counted in thousands as the issue states it."""


def runtime_sizes(package: Package) -> dict[str, int]:
    """gzip -9 size of each runtime script and stylesheet of the package."""
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        return {name: len(gzip.compress(archive.read(name), compresslevel=9, mtime=0))
                for name in sorted(archive.namelist())
                if (name.startswith("runtime/") and name.endswith(".js"))
                or (name.startswith("theme/") and name.endswith(".css"))}


@pytest.fixture(scope="module")
def packages() -> dict[PackageFormat, Package]:
    sink = DiagnosticSink()
    formats = tuple(default_packagers())
    built = build_course(SAMPLE, "courses/workplace-safety", BuildOptions(formats=formats, source_date_epoch=0),
                         sink)
    assert built is not None and not sink.failed(), [d.format() for d in sink]
    return {item.package.format: item.package for item in built.packages}


@pytest.mark.parametrize("package_format", tuple(default_packagers()), ids=str)
def test_the_runtime_of_one_package_is_at_most_20_kb_gzip(packages: dict[PackageFormat, Package],
                                                           package_format: PackageFormat) -> None:
    sizes = runtime_sizes(packages[package_format])
    total = sum(sizes.values())
    print(f"\n{package_format}: {total:,} B gzip -9 in {len(sizes)} files: "
          + ", ".join(f"{name} {size:,}" for name, size in sizes.items()))
    assert any(name.startswith("runtime/") for name in sizes) and "theme/player.css" in sizes
    assert total <= BUDGET, f"{package_format}'s runtime is {total:,} B gzip, over the {BUDGET:,} B budget: {sizes}"


@pytest.mark.parametrize("package_format", tuple(default_packagers()), ids=str)
def test_the_built_in_theme_has_every_script_of_each_format(package_format: PackageFormat) -> None:
    """The bundle joins the scripts the theme has: one missing would leave a format without its adapter."""
    theme = builtin_layer().files
    assert [script for script in runtime_scripts(profile_for(package_format)) if script not in theme] == []
