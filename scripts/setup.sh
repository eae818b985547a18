#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for gyokaku: the BIZ UD fonts and a virtual environment
# (.venv) with gyokaku installed, and icc-profiles-free (the sRGB profile of the PDF/A OutputIntent).
# With --test, also what the tests need: poppler-utils (pdftoppm, pdftotext), LibreOffice Writer
# and Calc (to open the Word draft and the CSV as an office suite would), Chromium with its
# chromedriver and axe-core from npm (into node_modules/, git-ignored) to check the HTML pages.
# Nothing downloads a browser of its own. Python packages are installed at the versions of
# constraints.txt (the versions the tests passed with).
set -euo pipefail
cd "$(dirname "$0")/.."

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
command -v python3 >/dev/null || missing+=(python3)
[[ -x .venv/bin/python ]] || python3 -c "import ensurepip" 2>/dev/null || missing+=(python3-venv)  # Debian: venv apart
for p in fonts-morisawa-bizud-mincho fonts-morisawa-bizud-gothic icc-profiles-free; do
  installed "$p" || missing+=("$p")
done
extras=""
if [[ "${1:-}" == "--test" ]]; then
  extras="[test]"
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)
  installed libreoffice-calc || installed libreoffice-calc-nogui || missing+=(libreoffice-calc-nogui)
  for p in chromium chromium-driver; do
    installed "$p" || missing+=("$p")
  done
  command -v npm >/dev/null || missing+=(npm)
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  if [[ "$(id -u)" == 0 ]]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "setup: please install as root: apt-get install ${missing[*]}" >&2; exit 1
  fi
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".${extras}"
AXE_VERSION=4.11.4  # axe-core, run by tests/test_render_html.py in Chromium
if [[ "${1:-}" == "--test" ]] && ! grep -qs "\"version\": \"$AXE_VERSION\"" node_modules/axe-core/package.json; then
  npm install --no-save --no-audit --no-fund --prefix . "axe-core@$AXE_VERSION" >/dev/null
fi
