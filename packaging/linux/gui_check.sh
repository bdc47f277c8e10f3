#!/usr/bin/env bash
# Starts a GUI command and checks that it comes up, then stops it. Used by ci_smoke.sh.
#
#   gui_check.sh SECONDS 'WINDOW TITLE' LOG COMMAND [ARGS...]
#
# With QT_QPA_PLATFORM=xcb and xwininfo (x11-utils) it waits for a top-level window with that
# title (run it inside xvfb-run); otherwise (offscreen) it checks the process stays up.
set -uo pipefail
seconds=$1 title=$2 log=$3
shift 3
"$@" >"$log" 2>&1 &
pid=$!
can_see=0
if [ "${QT_QPA_PLATFORM:-}" = xcb ] && command -v xwininfo >/dev/null; then can_see=1; fi
for i in $(seq 1 "$seconds"); do
  sleep 1
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"; echo "gui_check: exited early with $?"; exit 1
  fi
  if [ "$can_see" = 1 ] && xwininfo -root -tree | grep -qF "\"$title\""; then
    echo "gui_check: window \"$title\" after ${i}s"
    kill "$pid"; wait "$pid" 2>/dev/null; exit 0
  fi
done
kill "$pid"; wait "$pid" 2>/dev/null
if [ "$can_see" = 1 ]; then echo "gui_check: no window \"$title\" within ${seconds}s"; exit 1; fi
echo "gui_check: still running after ${seconds}s (no window check without Xvfb and xwininfo)"
