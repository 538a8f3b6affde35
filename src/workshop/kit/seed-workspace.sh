#!/bin/sh
# seed-workspace.sh KIT WORKSPACE
# First-login copy of the labs into a learner's own workspace. Run as the learner (never as root for
# someone else): the copies belong to the learner and are private (umask 077). Runs once per workspace;
# later logins keep the learner's edits. Used by the local workshop (learner-start.sh, started by
# JupyterHub) and by the Zero to JupyterHub single-user image (same script, same layout).
set -eu
if [ "$#" -ne 2 ]; then
  echo "usage: seed-workspace.sh KIT WORKSPACE" >&2
  exit 2
fi
KIT=$1
WS=$2
umask 077
if [ ! -d "$KIT/notebooks" ] || [ ! -d "$KIT/src" ]; then
  echo "seed-workspace.sh: $KIT is not an ep-lab kit (no notebooks/ or src/)" >&2
  exit 2
fi
if [ -e "$WS/.ep-lab/seeded" ]; then
  exit 0
fi
mkdir -p "$WS/.ep-lab"
for nb in "$KIT"/notebooks/*.ipynb; do
  [ -e "$nb" ] || continue
  dest="$WS/$(basename "$nb")"
  [ -e "$dest" ] || cp "$nb" "$dest"
done
# Figures the labs' prose shows, the library the notebooks import, and the library's packages (the
# TypeScript kernel resolves packages from the notebook's folder upwards): read-only links into the kit.
[ -e "$WS/images" ] || ln -s "$KIT/images" "$WS/images"
[ -e "$WS/src" ] || ln -s "$KIT/src" "$WS/src"
[ -e "$WS/node_modules" ] || ln -s "$KIT/node_modules" "$WS/node_modules"
date -u +%Y-%m-%dT%H:%M:%SZ > "$WS/.ep-lab/seeded"
