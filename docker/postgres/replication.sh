#!/bin/bash
# Run once by the postgres image when the primary's data directory is first made (/docker-entrypoint-initdb.d):
# a role the read replica copies and streams the primary's changes with, and the line that lets it in. For a primary
# made before this was mounted, run the same two steps by hand (README.md, "Scaling out").
set -euo pipefail
: "${POSTGRES_REPLICATION_PASSWORD:?set POSTGRES_REPLICATION_PASSWORD in docker/.env}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=password="$POSTGRES_REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
