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
    # DejaVu covers Arabic; a Chinese report needs a CJK font (WenQuanYi Zen Hei, 7.5 MB to
    # download, unless another one such as fonts-noto-cjk is there).
    fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-zenhei)
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

# What the desk's browser check needs: Chromium and its driver (Debian), fonts for Arabic and
# Chinese, selenium and axe-core 4 (the axe.min.js that PyPI's axe-playwright-python bundles,
# installed without its dependencies).
ensure_browser_packages() {
    local missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
    [ -d /usr/share/fonts/truetype/noto ] || missing+=(fonts-noto-core)
    [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> installing ${missing[*]}"
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    pip_install() {
        python3 -m pip install --quiet --disable-pip-version-check "$@" 2>/dev/null \
            || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
    }
    python3 -c 'import selenium' 2>/dev/null || { echo "==> pip install selenium"; pip_install selenium; }
    python3 -c 'import axe_playwright_python' 2>/dev/null \
        || { echo "==> pip install --no-deps axe-playwright-python"; pip_install --no-deps axe-playwright-python; }
}
