# shellcheck shell=bash
# logcheck.sh: the log assertions of tests/scenarios (tf_log) and tests/oldhosts (logcheck), each
# one or two tlsfloor-log calls (report/log.c, the one log reader). Source it; set TF_LOGTOOL to
# the program (default: $TF_BUILD/report/tlsfloor-log).
#
#   tf_logcheck LOG json        every line keeps the log contract (tlsfloor-log --check), and
#                               there is at least one record
#   tf_logcheck LOG expect EVENT [--mode enforce|audit] [--count N | --min-count N]
#                               [--symbol NAME[,NAME...]] [--module-re ERE]
#                               [--detail KEY=VALUE]... [--detail-re KEY=ERE]...
#       the records of EVENT (in MODE) number exactly N (default 1) or at least N, and every one
#       of them has one of the symbols as its first caller frame (resolved through caller.site),
#       a module matching ERE, detail.KEY equal to VALUE / matching ERE
#   tf_logcheck LOG absent EVENT [--mode M]     no such record
#   tf_logcheck LOG sites EVENT  per call site: counts 1..n, only the first record has frames
#   tf_logcheck LOG summary      one line per record
# Every form but summary also checks every line against the contract (an empty log passes,
# except for json). Exit 0 when the assertion holds; otherwise tlsfloor-log says why on stderr.

_tf_logtool() { "${TF_LOGTOOL:-$TF_BUILD/report/tlsfloor-log}" "$@"; }

# tf_ere_quote TEXT: an ERE that matches TEXT literally.
tf_ere_quote() { sed 's/[][\\.*^$+?(){}|/]/\\&/g' <<<"$1"; }

_tf_logcheck_expect() {
    local log=$1 event=$2 count=(--expect 1) props=() sel s
    shift 2
    sel=(--event "$event")
    while [ $# -gt 0 ]; do
        case $1 in
            --mode) sel+=(--mode "$2") ;;
            --count) count=(--expect "$2") ;;
            --min-count) count=(--expect-min "$2") ;;
            --symbol)
                s=$(tf_ere_quote "$2")
                props+=(--where "frame.symbol~^(${s//,/|})\$") ;;
            --module-re) props+=(--where "frame.module~$2") ;;
            --detail) props+=(--where "detail.$2") ;;
            --detail-re) props+=(--where "detail.${2%%=*}~${2#*=}") ;;
            *) echo "tf_logcheck: unknown option $1" >&2; return 2 ;;
        esac
        shift 2
    done
    _tf_logtool --check --allow-empty "${sel[@]}" "${count[@]}" "$log" || return 1
    if [ ${#props[@]} -gt 0 ]; then
        # every selected record has the properties: as many records with them as without
        local n
        n=$(_tf_logtool "${sel[@]}" --count "$log" 2>/dev/null) || return 1
        if ! _tf_logtool "${sel[@]}" "${props[@]}" --expect "$n" "$log"; then
            echo "tf_logcheck: not every one of the $n ${sel[*]} records has ${props[*]}" >&2
            return 1
        fi
    fi
    _tf_logtool "${sel[@]}" --summary "$log" 2>/dev/null | sed 's/^/  log ok: /'
}

tf_logcheck() {
    local log=$1 cmd=$2
    shift 2
    case $cmd in
        json) _tf_logtool --check "$log" &&
            echo "  log ok: $(_tf_logtool --count "$log") records, the contract kept" ;;
        summary) _tf_logtool --summary "$log" ;;
        absent) _tf_logtool --check --allow-empty --event "$1" "${@:2}" --none "$log" && echo "  log ok: no $*" ;;
        sites) _tf_logtool --check --allow-empty --event "$1" --sites-strict "$log" &&
            echo "  log ok: $(_tf_logtool --event "$1" --count "$log") $1 records, call-site counts consistent" ;;
        expect) _tf_logcheck_expect "$log" "$@" ;;
        *) echo "tf_logcheck: unknown check $cmd" >&2; return 2 ;;
    esac
}
