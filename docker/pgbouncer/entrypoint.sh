#!/bin/sh
# Write PgBouncer's settings from the environment and run it in the foreground. Two databases: care_market (the
# primary, for DATABASE_URL) and care_market_replica (the read replica, for DATABASE_REPLICA_URL). Transaction
# mode: a server connection serves one client's transaction at a time, so the web and worker processes together
# hold at most PGBOUNCER_POOL_SIZE connections to each PostgreSQL whatever their number; the service sets
# DATABASE_TRANSACTION_POOLING=true for it (no server-side cursors). The password file stays inside the container.
set -eu
: "${POSTGRES_USER:?}" "${POSTGRES_PASSWORD:?}" "${POSTGRES_DB:?}"
umask 077
CONF=/tmp/pgbouncer
mkdir -p "$CONF"
printf '"%s" "%s"\n' "$POSTGRES_USER" "$POSTGRES_PASSWORD" > "$CONF/userlist.txt"
cat > "$CONF/pgbouncer.ini" <<INI
[databases]
care_market = host=${PGBOUNCER_PRIMARY_HOST:-postgres} port=5432 dbname=${POSTGRES_DB}
care_market_replica = host=${PGBOUNCER_REPLICA_HOST:-postgres-replica} port=5432 dbname=${POSTGRES_DB}

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = ${PGBOUNCER_PORT:-6432}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $CONF/userlist.txt
pool_mode = transaction
default_pool_size = ${PGBOUNCER_POOL_SIZE:-20}
max_client_conn = ${PGBOUNCER_MAX_CLIENT_CONN:-500}
server_reset_query =
ignore_startup_parameters = extra_float_digits
admin_users = ${POSTGRES_USER}
INI
exec pgbouncer "$CONF/pgbouncer.ini"
