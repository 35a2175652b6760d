"""The SCORM 1.2 verifier: an imsmanifest.xml in IMS CP 1.1.2, judged against the official schemas and
for what they miss (identifier references, the launchable SCO, files listed and present)."""

from __future__ import annotations

from courseforge.model.package import PackageFormat
from courseforge.stages.verify import schema
from courseforge.stages.verify.dialect import SCORM12
from courseforge.stages.verify.structure import CpVerifier


class Scorm12Verifier(CpVerifier):
    """An imsmanifest.xml whose root is IMS CP 1.1.2's ``<manifest>``, judged in SCORM 1.2's words."""

    format = PackageFormat.SCORM12
    dialect = SCORM12
    schemas = schema.SCORM12
