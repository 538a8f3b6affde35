#!/bin/sh
# learner-start.sh [jupyterhub-singleuser options]
# What JupyterHub runs, as the learner, to start that learner's own Jupyter server: seed the workspace
# at first login (seed-workspace.sh), point the progress record into it, then exec the single-user server.
# Environment: EP_LAB_KIT (the kit's folder, required), EP_LAB_WORKSPACE (default $HOME/ep-lab),
# EP_LAB_NODE (default node), EP_LAB_SINGLEUSER (default jupyterhub-singleuser).
set -eu
umask 077
: "${EP_LAB_KIT:?EP_LAB_KIT must name the ep-lab kit folder}"
WS="${EP_LAB_WORKSPACE:-$HOME/ep-lab}"
sh "$EP_LAB_KIT/src/workshop/kit/seed-workspace.sh" "$EP_LAB_KIT" "$WS"
export EP_LAB_WORKSPACE="$WS"
export EP_LAB_PROGRESS_FILE="$WS/.ep-lab/progress.jsonl"
cd "$WS"
exec "${EP_LAB_SINGLEUSER:-jupyterhub-singleuser}" "$@"
