"""Web packager: the rendered site as a static site zip, ``index.html`` at its root, no LMS manifest.

Unzipped on any static web server (or a folder an intranet serves), the course runs without an LMS and
the web adapter (``runtime/web.js``) keeps the learner's place in the browser.
"""

from __future__ import annotations

from courseforge.model.package import Package
from courseforge.stages.package import PackageInput
from courseforge.stages.package.zipwriter import write_zip
from courseforge.standards.web import PROFILE


class WebPackager:
    profile = PROFILE

    def package(self, unit: PackageInput) -> Package:
        site = unit.site
        if site.entry != "index.html":
            raise ValueError(f"a web site is opened at index.html, not {site.entry}")
        data = write_zip(site.files, unit.source_date_epoch)
        return Package(PROFILE.format, site.metadata.course_id, unit.locale, b"", data)
