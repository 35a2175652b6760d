"""Servers that packages talk to at run time, on one ASGI stack (Starlette + uvicorn).

``lrs`` is the embedded xAPI 1.0.3 Learning Record Store; ``cmi5`` (the launch side) builds on it.
"""
