#!/usr/bin/env bash
# Build the Linux app folder dist/Pairsmith/ (pairsmith + pairsmith-desktop, one shared _internal/).
#
#   packaging/build_app.sh [--clean]
#
# Needs the project's environment plus PyInstaller: pip install -c constraints.txt '.[packaging]'.
# With the CPU build of torch, the CUDA libraries are left out (set PAIRSMITH_KEEP_CUDA=1 to keep
# them). See docs/packaging.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
EXTRA=()
if [[ "${1:-}" == "--clean" ]]; then EXTRA+=(--clean); fi

if ! "$PY" -m PyInstaller --version >/dev/null 2>&1; then
    echo "PyInstaller is not installed: pip install -c constraints.txt '.[packaging]'" >&2
    exit 2
fi

start=$(date +%s)
"$PY" -m PyInstaller packaging/pairsmith.spec --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller "${EXTRA[@]}"

app=dist/Pairsmith
cp packaging/pairsmith.desktop "$app/pairsmith.desktop"
cp resources/icons/pairsmith.svg "$app/pairsmith.svg"
cp resources/icons/pairsmith-256.png "$app/pairsmith.png"

# smoke checks: both executables start, the CLI finds the bundled sample
"$app/pairsmith" --help >/dev/null
QT_QPA_PLATFORM=offscreen "$app/pairsmith-desktop" --help >/dev/null
tmp=$(mktemp -d)
"$app/pairsmith" init "$tmp/ws" >/dev/null
"$app/pairsmith" import "$tmp/ws" "$app/_internal/resources/sample/helpdesk_export.csv" >/dev/null
"$app/pairsmith" status "$tmp/ws"
# the app in a real X11 window where Xvfb is installed (the libraries Qt's xcb plugin needs are
# checked first: a missing one is named with its install command, exit 2)
if command -v xvfb-run >/dev/null 2>&1; then
    xvfb-run -a -s "-screen 0 1280x800x24" "$app/pairsmith-desktop" --workspace "$tmp/ws" --page review \
        --screenshot "$tmp/window.png" >/dev/null
fi
# a few training steps with the built-in tiny model: the frozen `-m engine.train` subprocess,
# checkpoints (model cards, templates) and the adapter
"$app/pairsmith" set "$tmp/ws" --all --status approved >/dev/null
"$app/pairsmith" train "$tmp/ws" --base-model builtin:tiny --preset cpu-smoke \
    --set max_steps=4 --set save_steps=2 --set eval_steps=2 | tail -1
rm -rf "$tmp"

echo "Built $app in $(( $(date +%s) - start )) s; size $(du -sh "$app" | cut -f1)"
