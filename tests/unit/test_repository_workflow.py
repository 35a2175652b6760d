"""This repository's own publish workflow is the one ``courseforge new`` writes, but for how courseforge is
installed (from the checkout, not a release): the two cannot drift apart."""

from __future__ import annotations

from importlib import resources

from courseforge.commands.new import scaffold_environment
from tests.sample_project import REPO

RELEASE_INSTALL = '''      # The courseforge release this project was made with, and its compatible updates.
      - run: python -m pip install "courseforge~=0"
'''
CHECKOUT_INSTALL = '''      # This repository is courseforge itself: its own code publishes the sample courses.
      - run: python -m pip install .
'''


def test_the_repositorys_publish_workflow_is_the_scaffolds_installing_the_checkout() -> None:
    template = (resources.files("courseforge") / "scaffold" / "project" / "dot-github" / "workflows"
                / "publish.yml.jinja").read_text(encoding="utf-8")
    scaffold = scaffold_environment().from_string(template).render(courseforge_version="0")
    assert RELEASE_INSTALL in scaffold
    ours = (REPO / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    assert ours == scaffold.replace(RELEASE_INSTALL, CHECKOUT_INSTALL)
