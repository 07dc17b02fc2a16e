"""The shared kernel every app builds on: errors, query parsing, exports, forms, navigation, page slots,
writes and how values are shown. It imports no app; config/ keeps settings, URLs, Celery and serving."""
