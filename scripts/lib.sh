# Shared set-up for the scripts: installs what the build needs when it is missing.
# Sourced, not run.

ensure_system_packages() {
    local missing=()
    [ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
    [ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> installing ${missing[*]}"
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq && apt-get install -y -qq "${missing[@]}"
        else
            sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}"
        fi
    fi
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: the Swift toolchain (6.2 or later) is not on PATH" >&2
        exit 1
    fi
}
