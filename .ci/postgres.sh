#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the test suite.
#
#   .ci/postgres.sh start DIR   create a cluster in the empty (or missing) directory DIR,
#                               start it on 127.0.0.1 on a free port, create the database
#                               board_test, and print its SQLAlchemy URL on stdout
#   .ci/postgres.sh stop DIR    stop that cluster and delete DIR
#
# Everything lives inside DIR (data, unix socket, log), so nothing outside it is touched and
# several clusters can run side by side. Progress and errors go to stderr; only the URL goes
# to stdout, so callers can do: url=$(.ci/postgres.sh start "$dir").
set -euo pipefail

PG_VERSION_WANTED=15
DB_NAME=board_test

log() { echo "postgres.sh: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/N/bin.
find_bindir() {
    local dir
    if [[ -x /usr/lib/postgresql/$PG_VERSION_WANTED/bin/postgres ]]; then
        echo "/usr/lib/postgresql/$PG_VERSION_WANTED/bin"
        return 0
    fi
    # Another major version will do for tests (e.g. a newer Debian release ships a newer one).
    for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        if [[ -x $dir/postgres ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

install_server() {
    log "PostgreSQL server not found; installing Debian's postgresql"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq >&2
    as_root apt-get install -y -qq --no-install-recommends postgresql >&2
}

# The server refuses to run as root, so as root we run it as the postgres system user;
# anyone else runs it as themselves.
as_pg() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd_start() {
    local dir=${1:?usage: postgres.sh start DIR}
    local bindir port attempt url

    bindir=$(find_bindir) || {
        install_server
        bindir=$(find_bindir) || die "no PostgreSQL server after installing it"
    }
    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        die "running as root but there is no 'postgres' user to run the server as"
    fi

    mkdir -p "$dir"
    [[ -z $(ls -A "$dir") ]] || die "$dir is not empty"
    dir=$(cd "$dir" && pwd)
    if [[ $EUID -eq 0 ]]; then
        chown postgres: "$dir"
    fi
    chmod 700 "$dir"

    # trust auth is fine: the server only listens on loopback and a socket inside $dir.
    # --no-sync and the settings below trade durability for speed; the data is thrown away.
    as_pg "$bindir/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
        {
            cat "$dir/initdb.log" >&2
            die "initdb failed"
        }

    # A free port can be taken between picking it and binding it; try a few.
    for attempt in 1 2 3; do
        port=$(free_port)
        if as_pg "$bindir/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" \
            --wait --timeout=60 --silent \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >&2; then
            break
        fi
        log "start on port $port failed (attempt $attempt):"
        tail -n 5 "$dir/server.log" >&2 || true
        port=
    done
    [[ -n $port ]] || die "could not start PostgreSQL; see $dir/server.log"
    echo "$port" >"$dir/port"

    as_pg "$bindir/createdb" --host="$dir" --port="$port" --username=postgres "$DB_NAME" >&2 ||
        die "createdb $DB_NAME failed"

    url="postgresql+psycopg://postgres@127.0.0.1:$port/$DB_NAME"
    log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') up on 127.0.0.1:$port (dir $dir)"
    echo "$url"
}

cmd_stop() {
    local dir=${1:?usage: postgres.sh stop DIR}
    local bindir
    [[ -d $dir ]] || return 0
    if [[ -f $dir/data/postmaster.pid ]]; then
        bindir=$(find_bindir) || die "no PostgreSQL binaries to stop $dir with"
        # immediate: no checkpoint, the data is deleted anyway.
        as_pg "$bindir/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait --silent stop >&2 ||
            log "warning: pg_ctl stop failed for $dir"
    fi
    rm -rf "$dir"
}

case ${1:-} in
start) cmd_start "${@:2}" ;;
stop) cmd_stop "${@:2}" ;;
*)
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 2
    ;;
esac
