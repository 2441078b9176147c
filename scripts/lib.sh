# Shared set-up for the scripts: installs what the build needs when it is missing.
# Sourced, not run.

ensure_system_packages() {
    local missing=()
    [ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
    [ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
    # The report and export tests convert documents with LibreOffice and read PDFs with pdftotext.
    command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer libreoffice-calc)
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
    [ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> installing ${missing[*]}"
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
        else
            sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
        fi
    fi
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: the Swift toolchain (6.2 or later) is not on PATH" >&2
        exit 1
    fi
}
