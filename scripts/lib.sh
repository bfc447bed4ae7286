# shellcheck shell=bash
# Shared functions of ./dev and .ci/run. Sourced, never executed.
#
# Everything the project installs lives outside the work tree, in $SETTLEMENT_HOME:
#   odoo-18.0/   Odoo 18.0 source (unless ODOO_SRC points to one)
#   venv/        Python virtualenv with Odoo's and the addon's requirements
#   pgdata/      private PostgreSQL cluster (tuned for tests, not for production)
#   pgdata-replica-PORT/  its streaming replica, when ./dev replica start made one
#   run/         its unix socket, logs and the Odoo data_dir

: "${REPO:?REPO must be set before sourcing lib.sh}"

if [ "$(id -u)" = 0 ]; then
    SETTLEMENT_HOME="${SETTLEMENT_HOME:-/opt/settlement_mgmt}"
else
    SETTLEMENT_HOME="${SETTLEMENT_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/settlement_mgmt}"
fi
ODOO_SRC="${ODOO_SRC:-$SETTLEMENT_HOME/odoo-18.0}"
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
VENV="${SETTLEMENT_VENV:-$SETTLEMENT_HOME/venv}"
PG_DATA="$SETTLEMENT_HOME/pgdata"
PG_RUN="$SETTLEMENT_HOME/run"
PG_HOST=127.0.0.1
PG_PORT="${SETTLEMENT_PG_PORT:-55432}"
PG_USER=odoo
PG_OS_USER=settlementpg
# A hot-standby replica of the cluster (./dev replica, ./dev demo --replica):
# Odoo sends its read-only requests there (db_replica_host / db_replica_port).
PG_REPLICA_PORT="${SETTLEMENT_REPLICA_PORT:-55433}"
PG_REPLICA_DATA="$SETTLEMENT_HOME/pgdata-replica-$PG_REPLICA_PORT"
PG_REPLICA_SLOT="settlement_replica_$PG_REPLICA_PORT"
ODOO_CONF="$REPO/.state/odoo.conf"
TEST_CONF="$REPO/.state/odoo-test.conf"
DEMO_DB="${SETTLEMENT_DEMO_DB:-settlement_demo}"
# The addons of this repository, as Odoo's -i wants them.
ADDONS=settlement_mgmt,settlement_mgmt_sale,settlement_mgmt_sms
# Test databases also get Odoo's demo payment provider: the portal "pay several
# invoices" flow is tested end to end through it (never a dependency of the addon).
TEST_ADDONS="$ADDONS,payment_demo"
HTTP_PORT="${SETTLEMENT_HTTP_PORT:-8069}"

# Debian packages: database, PDF engine, fonts with Arabic/Hebrew/Persian glyphs,
# headless browser for the portal tours.
SYSTEM_PACKAGES=(postgresql wkhtmltopdf fonts-noto-core fonts-dejavu-core xfonts-75dpi xfonts-base chromium git poppler-utils)
# Odoo flips its CSS for right-to-left languages with rtlcss (npm); without it
# Persian, Arabic and Hebrew pages are laid out left to right.
RTLCSS_VERSION=4

# Core account test classes that must stay green with the addon installed.
CORE_TEST_TAGS="/account:TestAccountPaymentTerms,/account:TestAccountEarlyPaymentDiscount,\
/account:TestAccountPaymentRegister,/account:TestAccountMoveReconcile,\
/account:TestAccountMoveOutInvoiceOnchanges,/account:TestAccountPartner,\
/account:TestAccountPayment,/account:TestPortalInvoice"

# OCA 18.0 addons the benchmarks compare with, installed only in the benchmark
# database (their wheels from PyPI, unpacked into $OCA_ADDONS; never in the repo).
OCA_ADDONS="$SETTLEMENT_HOME/oca/addons"
OCA_WHEELS=(
    "odoo-addon-account_financial_report==18.0.1.4.29.6"
    "odoo-addon-date_range==18.0.5.0.2.2"
    "odoo-addon-report_xlsx==18.0.1.1.3"
    "odoo-addon-partner_statement==18.0.1.2.0.14"
    "odoo-addon-report_xlsx_helper==18.0.1.0.0.5"
    "odoo-addon-account_credit_control==18.0.2.0.2.6"
)

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() {
    printf '\033[1;31mERROR:\033[0m %s\n' "$*" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        return 1
    fi
}

ensure_system_packages() {
    command -v dpkg-query >/dev/null 2>&1 || {
        say "not a Debian/Ubuntu system: install ${SYSTEM_PACKAGES[*]} yourself"
        return 0
    }
    local missing=() pkg
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing system packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        die "could not install ${missing[*]}: install them (apt-get install ${missing[*]}) and retry"
}

ensure_rtlcss() {
    command -v rtlcss >/dev/null 2>&1 && return 0
    say "installing rtlcss (right-to-left CSS for fa/ar/he) with npm"
    command -v npm >/dev/null 2>&1 ||
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null ||
        die "npm is needed to install rtlcss: apt-get install npm"
    as_root npm install -g --silent "rtlcss@$RTLCSS_VERSION" >/dev/null ||
        die "could not install rtlcss: run npm install -g rtlcss@$RTLCSS_VERSION"
}

odoo_major_version() {
    sed -n 's/^version_info = (\([0-9]*\),.*/\1/p' "$1/odoo/release.py" 2>/dev/null
}

ensure_odoo() {
    if [ ! -f "$ODOO_SRC/odoo-bin" ]; then
        say "Odoo 18.0 not found at $ODOO_SRC: cloning the official 18.0 branch"
        mkdir -p "$(dirname "$ODOO_SRC")"
        git clone --quiet --depth 1 --branch 18.0 "$ODOO_GIT_URL" "$ODOO_SRC" ||
            die "could not get Odoo 18.0 from $ODOO_GIT_URL. Set ODOO_SRC to an Odoo 18.0 source tree."
    fi
    local major
    major="$(odoo_major_version "$ODOO_SRC")"
    [ "$major" = 18 ] || die "$ODOO_SRC is not Odoo 18 (release.py says '${major:-nothing}'). Set ODOO_SRC to an Odoo 18.0 source tree."
}

ensure_venv() {
    local python="${PYTHON:-python3}"
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating virtualenv $VENV"
        "$python" -m venv "$VENV" || die "python3 -m venv failed (apt-get install python3-venv)"
    fi
    local stamp
    stamp="$(cat "$REPO/requirements.txt" "$REPO/requirements-dev.txt" "$ODOO_SRC/requirements.txt" "$REPO/scripts/odoo_requirements.py" | sha256sum | cut -c1-16)"
    [ "$(cat "$VENV/.settlement-stamp" 2>/dev/null)" = "$stamp" ] && return 0
    say "installing Python requirements into $VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check packaging wheel
    "$VENV/bin/python" "$REPO/scripts/odoo_requirements.py" "$ODOO_SRC/requirements.txt" >"$VENV/odoo-requirements.txt"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$VENV/odoo-requirements.txt" -r "$REPO/requirements-dev.txt" ||
        die "pip install failed (see above)"
    echo "$stamp" >"$VENV/.settlement-stamp"
}

pg_bindir() {
    local dir
    dir="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$dir" ] || dir="$(pg_config --bindir 2>/dev/null || true)"
    [ -x "$dir/pg_ctl" ] || die "PostgreSQL server binaries not found (apt-get install postgresql)"
    echo "$dir"
}

# PostgreSQL refuses to run as root: the private cluster then belongs to an
# unprivileged system user created for it.
as_pg_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$PG_OS_USER" -- "$@"
    else
        "$@"
    fi
}

# Close every file descriptor above stderr in the current (sub)shell.
close_inherited_fds() {
    local fd
    for fd in /proc/$$/fd/* /proc/self/fd/*; do
        fd="${fd##*/}"
        [ "$fd" -gt 2 ] 2>/dev/null && [ "$fd" -lt 255 ] && eval "exec ${fd}>&-" 2>/dev/null
    done
    return 0
}

ensure_postgres() {
    local bin
    bin="$(pg_bindir)"
    mkdir -p "$SETTLEMENT_HOME" "$PG_RUN"
    if [ "$(id -u)" = 0 ]; then
        id -u "$PG_OS_USER" >/dev/null 2>&1 ||
            useradd --system --no-create-home --home-dir "$PG_DATA" --shell /usr/sbin/nologin "$PG_OS_USER"
        chmod 755 "$SETTLEMENT_HOME"
        chown "$PG_OS_USER" "$PG_RUN"
    fi
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        say "creating private PostgreSQL cluster in $PG_DATA"
        mkdir -p "$PG_DATA"
        [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$PG_DATA"
        as_pg_owner "$bin/initdb" -D "$PG_DATA" -U "$PG_USER" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null ||
            die "initdb failed"
        # A throw-away development cluster: durability traded for test speed.
        cat <<EOF | as_pg_owner tee -a "$PG_DATA/postgresql.conf" >/dev/null
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_RUN'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 512MB
EOF
    fi
    if ! as_pg_owner "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        say "starting PostgreSQL on $PG_HOST:$PG_PORT"
        # The server outlives this command: it must not inherit its open files
        # (a `flock LOCK ./dev …` caller's lock would stay held by PostgreSQL
        # and every later locked run would wait forever).
        (
            close_inherited_fds
            as_pg_owner "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_RUN/postgresql.log" -w -t 60 start >/dev/null
        ) || die "PostgreSQL did not start: see $PG_RUN/postgresql.log"
    fi
}

stop_postgres() {
    [ -f "$PG_DATA/PG_VERSION" ] || return 0
    stop_replica
    as_pg_owner "$(pg_bindir)/pg_ctl" -D "$PG_DATA" -m fast stop
}

primary_sql() {
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -tAc "$1"
}

replica_sql() {
    psql -h "$PG_HOST" -p "$PG_REPLICA_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -tAc "$1"
}

# The streaming replica: made once with pg_basebackup (the whole cluster, with
# a replication slot so that the primary keeps the WAL a stopped replica has
# not read yet, up to 2 GB), then started as a hot standby on its own port.
ensure_replica() {
    local bin
    bin="$(pg_bindir)"
    ensure_postgres
    if [ ! -f "$PG_REPLICA_DATA/PG_VERSION" ]; then
        say "creating a streaming replica of the cluster in $PG_REPLICA_DATA (pg_basebackup)"
        primary_sql "ALTER SYSTEM SET max_slot_wal_keep_size = '2GB'" >/dev/null
        primary_sql "SELECT pg_reload_conf()" >/dev/null
        primary_sql "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                      WHERE slot_name = '$PG_REPLICA_SLOT'" >/dev/null
        rm -rf "$PG_REPLICA_DATA"
        mkdir -p "$PG_REPLICA_DATA"
        [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$PG_REPLICA_DATA"
        chmod 700 "$PG_REPLICA_DATA"
        as_pg_owner "$bin/pg_basebackup" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" \
            -D "$PG_REPLICA_DATA" --write-recovery-conf --wal-method=stream \
            --create-slot --slot="$PG_REPLICA_SLOT" --checkpoint=fast ||
            die "pg_basebackup failed"
        # The primary's settings, then the replica's own (the last one wins).
        cat <<EOF | as_pg_owner tee -a "$PG_REPLICA_DATA/postgresql.conf" >/dev/null
port = $PG_REPLICA_PORT
hot_standby = on
# long reports on the replica are not cancelled by the cleanup of rows they read
hot_standby_feedback = on
EOF
    fi
    if ! as_pg_owner "$bin/pg_ctl" -D "$PG_REPLICA_DATA" status >/dev/null 2>&1; then
        say "starting the replica on $PG_HOST:$PG_REPLICA_PORT"
        (
            close_inherited_fds
            as_pg_owner "$bin/pg_ctl" -D "$PG_REPLICA_DATA" \
                -l "$PG_RUN/replica-$PG_REPLICA_PORT.log" -w -t 120 start >/dev/null
        ) || die "the replica did not start: see $PG_RUN/replica-$PG_REPLICA_PORT.log"
    fi
}

stop_replica() {
    [ -f "$PG_REPLICA_DATA/PG_VERSION" ] || return 0
    as_pg_owner "$(pg_bindir)/pg_ctl" -D "$PG_REPLICA_DATA" status >/dev/null 2>&1 || return 0
    as_pg_owner "$(pg_bindir)/pg_ctl" -D "$PG_REPLICA_DATA" -m fast stop >/dev/null
}

# Wait until the replica has replayed everything the primary wrote so far.
wait_replica() {
    local target tries=0
    target="$(primary_sql "SELECT pg_current_wal_lsn()")"
    until [ "$(replica_sql "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ]; do
        tries=$((tries + 1))
        [ $tries -lt 600 ] || die "the replica did not catch up with $target in 60 s (paused? ./dev replica resume)"
        sleep 0.1
    done
}

run_replica() {
    local action="${1:-status}"
    case "$action" in
        start) ensure_replica && wait_replica ;;
        stop) stop_replica ;;
        # A replica that lags behind: it keeps receiving the WAL, not applying it.
        pause) replica_sql "SELECT pg_wal_replay_pause()" >/dev/null ;;
        resume) replica_sql "SELECT pg_wal_replay_resume()" >/dev/null && wait_replica ;;
        wait) wait_replica ;;
        status)
            replica_sql "SELECT 'port $PG_REPLICA_PORT: replaying '
                                || CASE WHEN pg_is_wal_replay_paused() THEN 'paused' ELSE 'on' END
                                || ', ' || pg_wal_lsn_diff(pg_last_wal_receive_lsn(),
                                                           pg_last_wal_replay_lsn())
                                || ' bytes received and not applied, last change applied at '
                                || COALESCE(pg_last_xact_replay_timestamp()::text, 'none')"
            ;;
        drop)
            stop_replica
            rm -rf "$PG_REPLICA_DATA"
            primary_sql "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                          WHERE slot_name = '$PG_REPLICA_SLOT'" >/dev/null
            ;;
        *) die "usage: ./dev replica start|stop|pause|resume|wait|status|drop" ;;
    esac
}

write_odoo_conf() {
    mkdir -p "$(dirname "$ODOO_CONF")" "$PG_RUN/data"
    cat >"$ODOO_CONF" <<EOF
[options]
addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$REPO/addons
data_dir = $PG_RUN/data
db_host = $PG_HOST
db_port = $PG_PORT
db_user = $PG_USER
db_password = False
admin_passwd = admin
http_interface = 127.0.0.1
http_port = $HTTP_PORT
gevent_port = $((HTTP_PORT + 3))
list_db = False
EOF
}

setup_all() {
    ensure_system_packages
    ensure_rtlcss
    ensure_odoo
    ensure_venv
    ensure_postgres
    write_odoo_conf
    # Editors and the before-stop hook look for the project's Python in .venv.
    [ -e "$REPO/.venv" ] || ln -s "$VENV" "$REPO/.venv"
}

odoo_bin() {
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" "$@"
}

# odoo-bin wants its sub-command (shell, ...) before the options.
odoo_exec() {
    local command=()
    case "${1:-}" in
        shell | populate | neutralize | obfuscate | cloc | scaffold | upgrade_code)
            command=("$1")
            shift
            ;;
    esac
    exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" "${command[@]}" -c "$ODOO_CONF" "$@"
}

db_exists() {
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1
}

drop_db() {
    dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$1" >/dev/null 2>&1 || true
    rm -rf "$PG_RUN/data/filestore/$1"
}

# The demo database: created with the addons and their demo data, or, when it
# exists, its addons updated (-u) and any missing one installed.  Never -i on an
# installed addon: Odoo then reloads its data as at install, demo included
# (noupdate records rewritten, <function> tags run again), and the demo
# documents would be posted and paid twice.
install_demo_db() {
    local installed updated missing addon options=()
    if ! db_exists "$DEMO_DB"; then
        say "creating demo database $DEMO_DB (Odoo, Sales, the addons and demo data; a few minutes)"
        options=(-i "$ADDONS")
    else
        say "updating the addons in the existing demo database $DEMO_DB"
        installed=",$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$DEMO_DB" -tAc \
            "SELECT string_agg(name, ',') FROM ir_module_module WHERE state = 'installed'"),"
        updated="" missing=""
        for addon in ${ADDONS//,/ }; do
            if [[ "$installed" == *",$addon,"* ]]; then
                updated="${updated:+$updated,}$addon"
            else
                missing="${missing:+$missing,}$addon"
            fi
        done
        if [ -n "$updated" ]; then options+=(-u "$updated"); fi
        if [ -n "$missing" ]; then options+=(-i "$missing"); fi
    fi
    # Odoo logs a failing demo file as a warning and installs the addon
    # without its demo: a demo database without demo documents, said only in
    # the log.  Read the log, and drop a database just created that way so the
    # next ./dev demo tries again.
    local log="$PG_RUN/demo-install.log" status
    odoo_bin -d "$DEMO_DB" "${options[@]}" --stop-after-init --log-level=warn 2>&1 |
        tee "$log" >&2
    status="${PIPESTATUS[0]}"
    [ "$status" = 0 ] || die "installing $ADDONS into $DEMO_DB failed"
    if grep -q "demo data failed to install" "$log"; then
        [ "${options[0]}" = -i ] && [ "${options[1]}" = "$ADDONS" ] && drop_db "$DEMO_DB"
        die "the demo data of $ADDONS failed to install (traceback above)"
    fi
}

run_demo() {
    local replica=()
    setup_all
    if [ "${1:-}" = --replica ]; then
        shift
        ensure_replica
        replica=(--db_replica_host "$PG_HOST" --db_replica_port "$PG_REPLICA_PORT")
    fi
    install_demo_db
    warm_assets "$DEMO_DB"
    cat >&2 <<EOF

  settlement_mgmt demo is starting on  http://localhost:$HTTP_PORT/web/login
  Backend login:   admin / admin
  Portal login:    portal.fa / portal.fa   (Persian customer)
                   portal.he / portal.he   (Hebrew customer)
  Stop with Ctrl-C. Reset the demo with:  ./dev psql -d postgres -c 'DROP DATABASE $DEMO_DB'

EOF
    exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" -d "$DEMO_DB" \
        --db-filter="^$DEMO_DB\$" --log-level=info "${replica[@]}" "$@"
}

run_tests() {
    local started db rc log
    started=$(date +%s)
    setup_all
    db="settlement_test_$$"
    log="$REPO/.state/test-install.log"
    trap 'drop_db "'"$db"'"' EXIT
    drop_db "$db"

    say "installing settlement_mgmt on fresh database $db and running Odoo's own account tests with it (Odoo runner)"
    set +e
    write_test_conf
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$TEST_CONF" -d "$db" -i "$TEST_ADDONS" \
        --without-demo=all --stop-after-init \
        --test-enable --test-tags "$CORE_TEST_TAGS" --log-level=test >"$log" 2>&1
    rc=$?
    set -e
    grep -E "(ERROR|FAIL|CRITICAL) " "$log" | head -n 40 >&2 || true
    grep -E "tests when loading database|failed, .* error\(s\) of" "$log" | sed 's/^.*odoo\.tests\.\(stats\|result\): /Odoo runner: /' >&2 || true
    [ $rc -eq 0 ] || die "install or Odoo's account tests failed (exit $rc): see $log"
    say "Odoo runner done after $(($(date +%s) - started)) s"

    warm_assets "$db" "$TEST_CONF"
    say "running pytest (pytest-odoo on $db, repo-level tests)"
    set +e
    run_pytest "$db" "$@" addons/*/tests tests
    rc=$?
    set -e
    say "whole test command took $(($(date +%s) - started)) s"
    [ $rc -eq 5 ] && die "pytest collected no test"
    return $rc
}

# pytest with pytest-odoo on an existing database that has the addon installed.
run_pytest() {
    local db="$1"
    shift
    (cd "$REPO" && PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" \
        SETTLEMENT_ODOO_CONF="$TEST_CONF" SETTLEMENT_TEST_DB="$db" \
        "$VENV/bin/python" -m pytest -p no:cacheprovider \
        --odoo-config="$TEST_CONF" --odoo-database="$db" --odoo-http \
        `# pytest-odoo imports odoo.tests before test mode is on: silence that log` \
        --odoo-extra=log-handler=odoo.tests.common:CRITICAL \
        --odoo-log-level=warn "$@")
}

# Benchmarks on a kept database (settlement_bench): generate the dataset once
# per size, then run bench/bench_<name>.py inside odoo shell.
ensure_oca() {
    if [ ! -d "$OCA_ADDONS/account_credit_control" ]; then
        say "fetching OCA addons for the comparison: ${OCA_WHEELS[*]}"
        local wheels="$SETTLEMENT_HOME/oca/wheels" wheel
        mkdir -p "$wheels" "$SETTLEMENT_HOME/oca/unpacked"
        "$VENV/bin/pip" download --quiet --no-deps -d "$wheels" "${OCA_WHEELS[@]}" ||
            die "could not download the OCA wheels (no internet or no package index?)"
        for wheel in "$wheels"/*.whl; do
            "$VENV/bin/python" -m zipfile -e "$wheel" "$SETTLEMENT_HOME/oca/unpacked"
        done
        rm -rf "$OCA_ADDONS"
        mv "$SETTLEMENT_HOME/oca/unpacked/odoo/addons" "$OCA_ADDONS"
    fi
}

# Benchmark databases get our addons and, unless BENCH_OCA=0, the OCA addons
# we compare with (BENCH_PATH_ARGS, BENCH_MODULES are set for bench_shell).
bench_install() {
    local db="$1"
    BENCH_MODULES="$ADDONS"
    BENCH_PATH_ARGS=()
    if [ "${BENCH_OCA:-1}" = 1 ]; then
        ensure_oca
        BENCH_PATH_ARGS=(--addons-path="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$REPO/addons,$OCA_ADDONS")
        BENCH_MODULES="$BENCH_MODULES,account_financial_report,partner_statement,account_credit_control"
    fi
    odoo_bin "${BENCH_PATH_ARGS[@]}" -d "$db" -i "$BENCH_MODULES" --without-demo=all \
        --stop-after-init --log-level=warn || die "could not install $BENCH_MODULES in $db"
}

# bench_shell DB SCRIPT: run a bench/ script in odoo shell on DB.
# Odoo's shell caps its address space at limit_memory_hard (2.5 GB): the
# generator plans 30,000 customers' history in memory (about 6 GB), so the
# benchmarks' shell has no cap.
bench_shell() {
    PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" \
        "$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell -c "$ODOO_CONF" "${BENCH_PATH_ARGS[@]}" \
        -d "$1" --log-level=warn --no-http --limit-memory-hard=0 <"$2"
}

# ./dev bench NAME: one benchmark on the kept database settlement_bench (ORM
# generator, sizes from BENCH_CUSTOMERS...); ./dev bench growth: every
# benchmark at three sizes (BENCH_SIZES customers, 20 invoices each over two
# years, SQL generator), results in bench/results/ and bench/RESULTS.md.
# Benchmark-only Python packages (the late-payment model's scikit-learn
# baseline) into the same virtualenv, once per requirements-bench.txt.
ensure_bench_requirements() {
    local stamp
    stamp="$(sha256sum <"$REPO/requirements-bench.txt" | cut -c1-16)"
    [ "$(cat "$VENV/.settlement-bench-stamp" 2>/dev/null)" = "$stamp" ] && return 0
    say "installing benchmark requirements into $VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REPO/requirements-bench.txt" ||
        die "pip install -r requirements-bench.txt failed (see above)"
    echo "$stamp" >"$VENV/.settlement-bench-stamp"
}

run_bench() {
    local name="${1:-dunning}"
    setup_all
    ensure_bench_requirements
    [ "$name" = growth ] && {
        run_bench_growth
        return
    }
    local db="${SETTLEMENT_BENCH_DB:-settlement_bench}"
    [ -f "$REPO/bench/bench_$name.py" ] || die "no benchmark bench/bench_$name.py"
    bench_install "$db"
    if [[ "$db" =~ ^settlement_bench_bulk_([0-9]+)$ ]]; then
        # a database of ./dev bench growth: its size is in its name
        BENCH_CUSTOMERS="${BASH_REMATCH[1]}" BENCH_INVOICES=20 BENCH_DAYS=730 \
            bench_shell "$db" "$REPO/bench/generate_bulk.py"
    else
        say "generating ${BENCH_CUSTOMERS:-1000} customers x ${BENCH_INVOICES:-5} invoices over ${BENCH_DAYS:-180} days (once per size)"
        bench_shell "$db" "$REPO/bench/generate.py"
    fi
    say "running bench/bench_$name.py"
    if [ "$name" = load ]; then
        run_bench_load "$db"
    else
        bench_shell "$db" "$REPO/bench/bench_$name.py"
    fi
}

run_bench_growth() {
    local sizes="${BENCH_SIZES:-1000 3000 10000}" out="$REPO/bench/results" size db name
    mkdir -p "$out"
    for size in $sizes; do
        db="settlement_bench_bulk_$size"
        say "size $size: installing and generating $db (once per size)"
        bench_install "$db"
        BENCH_CUSTOMERS="$size" BENCH_INVOICES=20 BENCH_DAYS=730 \
            bench_shell "$db" "$REPO/bench/generate_bulk.py" || die "generation failed for $db"
        # statement first: it adds its two customers (5,000 and 10 items) for
        # good, so every later benchmark and every rerun sees the same data.
        # BENCH_ONLY="credit interactive" reruns those and keeps the others'
        # lines (after a change that only they measure).
        if [ -n "${BENCH_ONLY:-}" ]; then
            for name in $BENCH_ONLY; do
                sed -i "/^{\"bench\": \"$name\"/d" "$out/$size.jsonl"
            done
        else
            : >"$out/$size.jsonl"
        fi
        for name in ${BENCH_ONLY:-statement dataset aged dunning scoring credit analytics forecast interactive load}; do
            say "size $size: bench_$name"
            if [ "$name" = load ]; then
                run_bench_load "$db"
            else
                BENCH_DUNNING_SEND=0 bench_shell "$db" "$REPO/bench/bench_$name.py"
            fi | tee -a /dev/stderr |
                sed -n "s/^BENCH\(.*\)$/{\"bench\": \"$name\", \"size\": $size, \"rows\": \1}/p" \
                    >>"$out/$size.jsonl"
            grep -q "\"bench\": \"$name\"" "$out/$size.jsonl" || die "bench_$name printed no result"
        done
    done
    "$VENV/bin/python" "$REPO/bench/report.py" "$out" >"$REPO/bench/RESULTS.md"
    say "results: bench/RESULTS.md"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
    "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run_bench_load DB: the load test (bench/bench_load.py) against a prefork
# server on DB, on the primary alone and then with the streaming replica;
# prints one BENCH line with the rows of both.
run_bench_load() {
    local db="$1" users port server rows=() mode replica_args
    users="$(mktemp)"
    bench_shell "$db" "$REPO/bench/load_users.py" | sed -n 's/^USERS//p' >"$users"
    [ -s "$users" ] || die "bench/load_users.py made no portal user"
    bench_shell "$db" "$REPO/scripts/warm_assets.py" >&2
    for mode in primary replica; do
        replica_args=()
        if [ "$mode" = replica ]; then
            ensure_replica >&2
            wait_replica
            replica_args=(--db_replica_host "$PG_HOST" --db_replica_port "$PG_REPLICA_PORT")
        fi
        port="$(free_port)"
        "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" "${BENCH_PATH_ARGS[@]}" \
            -d "$db" --db-filter="^$db\$" \
            --http-port="$port" --workers="${BENCH_LOAD_WORKERS:-4}" --max-cron-threads=0 \
            --limit-time-real=600 --limit-time-cpu=300 --log-level=warn \
            "${replica_args[@]}" >"$PG_RUN/bench-load-$mode.log" 2>&1 &
        server=$!
        local tries=0
        until "$VENV/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' \
            "http://127.0.0.1:$port/web/login" 2>/dev/null; do
            tries=$((tries + 1))
            [ $tries -lt 180 ] || {
                kill "$server"
                die "the load test's server did not answer: $PG_RUN/bench-load-$mode.log"
            }
            sleep 1
        done
        local out
        out="$("$VENV/bin/python" "$REPO/bench/bench_load.py" "http://127.0.0.1:$port" "$users" "$mode")" || {
            kill "$server"
            wait "$server" 2>/dev/null || true
            die "the load test failed ($mode): $PG_RUN/bench-load-$mode.log"
        }
        kill "$server"
        wait "$server" 2>/dev/null || true
        rows+=("$(sed -n 's/^BENCH\[\(.*\)\]$/\1/p' <<<"$out")")
    done
    # The replica holds a copy of every database of the cluster: not kept.
    run_replica drop
    rm -f "$users"
    local IFS=,
    echo "BENCH[${rows[*]}]"
}

# warm_assets DB: build the asset bundles before a server serves DB
# (scripts/warm_assets.py says why).
warm_assets() {
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell -c "${2:-$ODOO_CONF}" -d "$1" \
        --log-level=warn --no-http <"$REPO/scripts/warm_assets.py" >&2 ||
        die "could not build the asset bundles of $1"
}

# Tests serve HTTP on a free port of their own (written into their own
# configuration file), so they run beside a demo server on 8069.
write_test_conf() {
    local port
    port="$(free_port)"
    sed -e "s/^http_port = .*/http_port = $port/" -e "s/^gevent_port = .*/gevent_port = $((port + 1))/" \
        "$ODOO_CONF" >"$TEST_CONF"
}

# Development loop: update the addon in a kept database (settlement_dev) and run
# the given pytest arguments against it, e.g. ./dev pytest addons/settlement_mgmt/tests -x
run_dev_pytest() {
    setup_all
    local db="${SETTLEMENT_DEV_DB:-settlement_dev}"
    # -i installs what is missing and updates what is installed
    odoo_bin -d "$db" -i "$TEST_ADDONS" --without-demo=all --stop-after-init \
        --log-level=warn || die "could not install/update $TEST_ADDONS in $db"
    write_test_conf
    warm_assets "$db" "$TEST_CONF"
    run_pytest "$db" "$@"
}

# Regenerate each addon's i18n/<addon>.pot from the code and merge it into
# fa/ar/he.po (new terms take core's wording when core has it, else arrive
# untranslated and the completeness test lists them).
export_pot() {
    setup_all
    local db="settlement_i18n_$$" addon
    trap 'drop_db "'"$db"'"' EXIT
    drop_db "$db"
    odoo_bin -d "$db" -i "$ADDONS" --without-demo=all --stop-after-init --log-level=warn
    for addon in ${ADDONS//,/ }; do
        mkdir -p "$REPO/addons/$addon/i18n"
        odoo_bin -d "$db" --i18n-export="$REPO/addons/$addon/i18n/$addon.pot" \
            --modules="$addon" --stop-after-init --log-level=warn
        "$VENV/bin/python" "$REPO/scripts/i18n_sync.py" "$REPO/addons/$addon/i18n" "$ODOO_SRC"
    done
}

# OCA-style wheels (odoo-addon-<name>, built by whool from each addon's
# pyproject.toml) into $SETTLEMENT_DIST (default dist/). whool packages the files
# git tracks: commit or `git add` new files first.
build_wheels() {
    ensure_odoo
    ensure_venv
    local dist="${SETTLEMENT_DIST:-$REPO/dist}" manifest addon dirs=()
    mkdir -p "$dist"
    # every addon of the repository (a new bridge too), each with its pyproject.toml
    for manifest in "$REPO"/addons/*/__manifest__.py; do
        addon="$(basename "$(dirname "$manifest")")"
        [ -f "$REPO/addons/$addon/pyproject.toml" ] ||
            die "addons/$addon has no pyproject.toml (whool's build-system table, as the others)"
        rm -f "$dist"/odoo_addon_"$addon"-*.whl
        dirs+=("$REPO/addons/$addon")
    done
    "$VENV/bin/pip" wheel --quiet --disable-pip-version-check --no-deps \
        --wheel-dir "$dist" "${dirs[@]}" || die "building the wheels failed"
    ls -1 "$dist"/odoo_addon_*.whl >&2
}
