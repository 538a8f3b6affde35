#!/bin/sh
# install-kit.sh KIT PREFIX [MEM_LIMIT]
# Install the ep-lab kit's dependencies and the workshop kernelspec (the tslab kernel under a memory limit)
# into PREFIX/share/jupyter, where every learner's server finds it. Used by the Zero to JupyterHub
# single-user image (src/workshop/z2jh/Dockerfile); `ep-lab workshop init` writes the same kernelspec
# with the same code (`ep-lab workshop kernelspec`) for the local workshop.
# EP_LAB_SKIP_NPM=1 skips `npm ci` (the kit's node_modules is already installed).
set -eu
if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
  echo "usage: install-kit.sh KIT PREFIX [MEM_LIMIT]" >&2
  exit 2
fi
KIT=$1
PREFIX=$2
MEM=${3:-2G}
cd "$KIT"
if [ "${EP_LAB_SKIP_NPM:-0}" != 1 ]; then
  npm ci --no-audit --no-fund
fi
# The library build the notebooks import (dist/), as `ep-lab workshop init` makes it for the local hub.
node "$KIT/bin/ep-lab.js" build --check >/dev/null 2>&1 || node "$KIT/bin/ep-lab.js" build
node "$KIT/bin/ep-lab.js" workshop kernelspec --prefix "$PREFIX" --mem-limit "$MEM"
