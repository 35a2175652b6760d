"""The preview stage: each package runs in headless Chromium inside a test LMS, under LMS behaviour
profiles, driven by a robot learner; the result is a :class:`courseforge.model.preview.PreviewReport`.

``harness/`` is the LMS side (server, host page, one plug-in per standard, profiles, where the
LMS-side JavaScript comes from); see its docstring for the API the other parts use.
"""
