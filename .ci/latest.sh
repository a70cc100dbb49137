#!/usr/bin/env bash
# Drift, not a gate (`npx projen check:latest`): what a user who installs today's packages gets.
# CI's blocking checks use exact versions from committed files; this installs the newest
# aws-cdk-lib, constructs, cdk-nag 2 and cdk-nag 3 from the registries instead, and
#
#   nag      runs the consumer app (every cdk-nag pack, both majors) and prints which findings
#            are new or gone against test/smoke/nag/expected-findings.txt
#   python   runs the Python smoke app with the newest aws-cdk-lib and constructs from PyPI
#
# It starts with the versions it found next to the pinned ones, and ends with one line per
# check. A failure means a release elsewhere changed what users of the library see: read the
# +/- lines, then fix the library or move the pins (test/smoke/nag/package-lock.json,
# test/smoke/python/requirements.txt) and expected-findings.txt in one commit.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ecosystem.sh
source .ci/ecosystem.sh

LATEST_DIR=.ecosystem/latest
LATEST_VENV=.venv/latest-python
CURRENT=latest
summary=()
failed=0

record() {
  summary+=("$(printf '%-4s %-7s %s' "$1" "$2" "$3")")
  [ "$1" = PASS ] || failed=1
}

pinned=$(node -p "const l = require('./test/smoke/nag/package-lock.json').packages; ['aws-cdk-lib', 'constructs', 'cdk-nag2', 'cdk-nag3']
  .map((n) => n + ' ' + l['node_modules/' + n].version).join(', ')")
log "pinned: $pinned"
if consumer_app "$LATEST_DIR" 'aws-cdk-lib@latest constructs@latest cdk-nag2@npm:cdk-nag@^2 cdk-nag3@npm:cdk-nag@latest'; then
  log "newest: $(consumer_versions "$LATEST_DIR")"
  log "handler runtime with the newest aws-cdk-lib: $(cd "$LATEST_DIR" && node -p "require('cdk-personalize/lib/private/handler-runtime').newestNodeRuntime().name")"
  CURRENT=nag
  if run_consumer_app "$LATEST_DIR"; then record PASS nag "$DETAIL"; else record FAIL nag "$DETAIL"; fi
else
  record FAIL nag "could not install the newest packages"
fi

CURRENT=python
if ! ls dist/python/*.whl >/dev/null 2>&1; then
  log "no wheel in dist/python: building it"
  tools_venv && PATH="$PWD/$TOOLS_VENV/bin:$PATH" npx jsii-pacmak --target python >/dev/null
fi
if rm -rf "$LATEST_VENV" && python3 -m venv "$LATEST_VENV" \
  && "$LATEST_VENV/bin/pip" install --quiet --disable-pip-version-check "$(ls dist/python/*.whl)" --upgrade aws-cdk-lib constructs; then
  log "newest on PyPI: $("$LATEST_VENV/bin/pip" freeze --disable-pip-version-check | grep -E '^(aws-cdk-lib|constructs|jsii)==' | paste -sd' ')"
  if run_python_smoke "$LATEST_VENV"; then record PASS python "$DETAIL"; else record FAIL python "$DETAIL"; fi
else
  record FAIL python "could not install the wheel with the newest aws-cdk-lib"
fi

echo
echo "=== latest summary (pinned: $pinned)"
printf '%s\n' "${summary[@]}"
[ "$failed" -eq 0 ]
