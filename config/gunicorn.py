"""Gunicorn settings read with `gunicorn -c python:config.gunicorn` (docker/Dockerfile)."""

import gc


def post_worker_init(worker) -> None:
    """Move everything the worker has loaded by now (Django, the apps, the URL conf: long-lived objects) out of the
    garbage collector's view. A full collection then walks only what requests create, instead of stalling a request
    for tens of milliseconds now and then to re-examine the whole loaded code."""
    gc.freeze()
