# apt-packages.sh: sourced by the install-*-deps.sh scripts. install_packages NAME LIST
# [MISSING...] installs the packages of LIST (one per line: the package, then what needs
# it) that dpkg does not have, plus MISSING; silent when nothing is missing; uses sudo
# when not root; on a system without dpkg it lists the packages and returns.
install_packages() {
    name=$1
    list=$2
    shift 2
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "$name: not a Debian system; install these yourself:" >&2
        echo "$list" | awk 'NF { print "  " $1 }' >&2
        return 0
    fi
    missing="$*"
    for package in $(echo "$list" | awk 'NF { print $1 }'); do
        status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
        case "$status" in
            *"install ok installed"*) ;;
            *) missing="$missing $package" ;;
        esac
    done
    [ -z "$missing" ] && return 0

    echo "$name: installing$missing" >&2
    if [ "$(id -u)" = 0 ]; then
        run() { "$@"; }
    elif command -v sudo >/dev/null 2>&1; then
        run() { sudo -n "$@"; }
    else
        echo "$name: need root or sudo to install:$missing" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    run apt-get update -qq >&2
    # shellcheck disable=SC2086
    run apt-get install -y -qq --no-install-recommends $missing >&2
}
