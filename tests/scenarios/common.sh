# shellcheck shell=bash source-path=SCRIPTDIR/../lib
# shellcheck disable=SC2034  # HOST, CLIENT, SHIM are used by the scenarios
# Sourced by every scenario: the test library, servers, and how to run a client with/without
# the shim. Scenarios run inside tests/lib/netns-run (see CMakeLists.txt).
set -u -o pipefail
TF_SCEN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/assert.sh
. "$TF_SCEN_DIR/../lib/assert.sh"
# shellcheck source=../lib/servers.sh
. "$TF_SCEN_DIR/../lib/servers.sh"

HOST=outlook.office365.com

# client_cmd 3|11 -> CLIENT array: how to start pinclient built against that OpenSSL.
client_cmd() {
    case $1 in
        3)
            CLIENT=("$TF_PINCLIENT")
            if [ ! -x "$TF_PINCLIENT" ]; then
                tf_fail "pinclient is not built: $TF_PINCLIENT"
                return 1
            fi
            ;;
        11)
            CLIENT=(env "LD_LIBRARY_PATH=$TF_OSSL11_LIBDIR" "$TF_PINCLIENT11")
            if [ ! -x "$TF_PINCLIENT11" ]; then
                tf_fail "pinclient11 is not built: $TF_PINCLIENT11 (OpenSSL 1.1 not fetched? see tests/lib/fetch-openssl11)"
                return 1
            fi
            ;;
        *) tf_fail "client_cmd: unknown OpenSSL $1"; return 1 ;;
    esac
}

# shim_env LOG [VAR=VALUE...] -> SHIM array: env with the shim preloaded, logging to LOG.
shim_env() {
    local log=$1
    shift
    rm -f "$log"
    SHIM=(env "LD_PRELOAD=$TF_SHIM" "TLSFLOOR_LOG=$log" "$@")
}
