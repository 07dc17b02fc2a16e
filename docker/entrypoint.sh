#!/bin/sh
# Check the database, cache and broker answer (one clear line if not), then run the command.
set -e
python manage.py check_services
if [ "${MIGRATE_ON_START:-false}" = "true" ]; then
  python manage.py migrate --noinput
  python manage.py schedules_sync
fi
exec "$@"
