"""The embedded xAPI 1.0.3 Learning Record Store.

Layers, from the edge inwards:

- ``app.create_lrs_app(store, credentials, policies=..., prefix=...)``: the Starlette app (HTTP, CORS,
  version header, Basic auth, the alternate request syntax); mountable inside another app.
- ``service.LrsService``: what a request does, without HTTP (validation, LRS-set properties, voiding,
  policies, attachments). Other servers in-process (cmi5 launch, the review LMS) call it directly.
- ``store.LrsStore``: the storage interface; ``sqlite.SqliteStore`` implements it (WAL, migrated on open).
- ``validation``: the pure statement/agent validator.
"""
