"""Whether a command may go to a build server: asked first, so a command that will not (``COURSEFORGE_SERVER=off``,
CI, any command but ``build`` and ``lint``, help) imports nothing more than this module. Standard library only.

Only ``build`` and ``lint`` are served (the first argument that is not an option names the command; ``--help``,
``-h``, ``--version`` and ``-V`` run in the process as always) unless ``COURSEFORGE_SERVER`` says ``off``
(``auto``, the default, means on, but off when ``CI`` is set to anything but ``0`` or ``false``: a CI build is a
one-off).
"""

from __future__ import annotations

import os
import sys

SERVER_ENV = "COURSEFORGE_SERVER"
SERVED_COMMANDS = frozenset({"build", "lint"})
HELP_OPTIONS = frozenset({"--help", "-h", "--version", "-V"})


def server_wanted(environ: dict[str, str] | os._Environ[str]) -> bool:
    """``COURSEFORGE_SERVER``: ``on``, ``off``, or ``auto`` (the default and any other value: on unless ``CI``)."""
    switch = environ.get(SERVER_ENV, "auto").strip().lower()
    if switch in ("on", "off"):
        return switch == "on"
    ci = environ.get("CI", "").strip().lower()
    return ci in ("", "0", "false")


def served_command(argv: list[str]) -> bool:
    """Whether ``argv`` is a ``build`` or ``lint`` that is not asking for help."""
    options = argv[:argv.index("--")] if "--" in argv else argv
    if HELP_OPTIONS.intersection(options):
        return False
    command = next((word for word in options if not word.startswith("-")), None)
    return command in SERVED_COMMANDS


def plain_interpreter() -> bool:
    """Whether this Python runs without options that change how code behaves (``-W``, ``-X``, ``-O``, ``-d``,
    ``-b``, ``-E``, ``-I``, or their variables): a server started without them would not run the command as this
    process does, so such a run stays here. (``PYTHON*`` variables are in the server's key as well.)"""
    flags = sys.flags
    changed = (flags.optimize, flags.debug, flags.bytes_warning, flags.dev_mode, flags.ignore_environment,
               flags.isolated)
    return not (sys.warnoptions or sys._xoptions or any(changed))


def may_serve(argv: list[str]) -> bool:
    """Whether ``argv`` may go to a server in this environment and this interpreter."""
    return served_command(argv) and server_wanted(os.environ) and plain_interpreter()
