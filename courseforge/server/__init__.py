"""The warm build server: ``build`` and ``lint`` run from a terminal are served by a long-lived process per
project, so a rebuild costs what it costs in a process that has imported courseforge and kept its caches.

The client side (:mod:`~courseforge.server.client`, :mod:`~courseforge.server.protocol`,
:mod:`~courseforge.server.state`) uses the standard library only: the command line decides whether a server
answers before importing click or pydantic. :mod:`~courseforge.server.daemon` is the server.
"""
