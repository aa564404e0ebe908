#!/usr/bin/env bash
# The Debian packages the README's commands need, checked before they run:
#   deploy/system-deps.sh demo   LibreOffice (legacy .doc reports are converted with it)
#   deploy/system-deps.sh test   the above, plus what the tests make and drive: CJK fonts (PDFs
#                                LibreOffice renders), poppler-utils (pdftotext -layout),
#                                PostgreSQL (the production-style Dagster instance), Chromium
#                                (the overview page, loaded headless)
# Missing ones are installed with apt-get when this runs as root (or sudo works without a
# password); otherwise one line names them and the script exits 2.
set -euo pipefail

# package:probe — a probe is a command on PATH, or fc:<lang> for a font covering that language
DEMO="libreoffice-writer-nogui:soffice"
TEST="$DEMO fonts-noto-cjk:fc:zh poppler-utils:pdftotext postgresql:pg_ctlcluster chromium:chromium"

case "${1:-test}" in
  demo) wanted=$DEMO ;;
  test) wanted=$TEST ;;
  *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac

present() {
  local probe=$1
  if [[ $probe == fc:* ]]; then
    command -v fc-list >/dev/null && [ -n "$(fc-list ":lang=${probe#fc:}" family 2>/dev/null | head -n 1)" ]
  else
    command -v "$probe" >/dev/null
  fi
}

missing=()
for item in $wanted; do
  package=${item%%:*}
  present "${item#*:}" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then run=(); elif sudo -n true 2>/dev/null; then run=(sudo); else run=(none); fi
  if [ "${run[0]:-}" != none ]; then
    echo "installing system packages: ${missing[*]}" >&2
    "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    exit 0
  fi
fi
echo "missing system packages: ${missing[*]} (Debian: sudo apt-get install -y --no-install-recommends ${missing[*]})" >&2
exit 2
