"""courseforge: e-learning courses in git compiled to validated LMS packages."""

__version__ = "0.1.0"
