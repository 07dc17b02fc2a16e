# Celery tasks: take ids, call a service (see STYLE.md).
from celery import shared_task

from geo.services.uploads import boundary_import_run, boundary_imports_unsent_send


@shared_task(acks_late=True, ignore_result=False)
def boundary_import_task(boundary_import_id: int) -> str:
    return boundary_import_run(boundary_import_id=boundary_import_id).status


@shared_task(acks_late=True)
def boundary_imports_unsent_sweep() -> int:
    return boundary_imports_unsent_send()
