#!/bin/sh
# seed-workspace.sh KIT WORKSPACE
# Create or complete a learner's workspace: fresh copies of the labs that are not there yet (a learner's saved
# copy is never overwritten) and the links the labs need (ep-lab -> the library build, images, node_modules),
# through the kit's own seeding code (seedWorkspace in src/jupyter/workspace.ts, from the build in dist/).
# Run as the learner, so the copies belong to the learner (umask 077: private). Used by the local workshop
# (learner-start.sh, started by JupyterHub) and by the Zero to JupyterHub single-user image.
set -eu
if [ "$#" -ne 2 ]; then
  echo "usage: seed-workspace.sh KIT WORKSPACE" >&2
  exit 2
fi
KIT=$1
WS=$2
umask 077
if [ ! -d "$KIT/notebooks" ] || [ ! -f "$KIT/dist/jupyter/workspace.js" ]; then
  echo "seed-workspace.sh: $KIT is not a built ep-lab kit (no notebooks/ or dist/; run npm run build there)" >&2
  exit 2
fi
exec "${EP_LAB_NODE:-node}" -e '
const [kit, ws] = process.argv.slice(1);
const r = require(kit + "/dist/jupyter/workspace.js").seedWorkspace(ws, { root: kit });
if (r.copied.length) console.error("ep-lab: copied " + r.copied.join(", ") + " into " + r.dir);
' "$KIT" "$WS"
