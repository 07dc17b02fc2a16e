# Celery tasks: take ids, call a service (see STYLE.md).
