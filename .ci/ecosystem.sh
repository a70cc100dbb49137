#!/usr/bin/env bash
# The slower checks, beyond `npx projen test`: what a platform team and the users
# of each jsii language would run into. Run through `npx projen check:ecosystem`,
# which compiles first (these checks read .jsii and lib/).
#
#   cfn-lint   every synthesized template (example app, integ snapshots), pinned cfn-lint
#   api-model  the property tests' copy of the Personalize API shapes equals botocore's
#   rosetta    every code example in the README and doc comments compiles (--strict)
#   python     build the wheel, install it in a fresh venv with the minimum aws-cdk-lib, run test/smoke/python
#   java       build the jar, run test/smoke/java with Maven against the minimum aws-cdk-lib
#   codegen    .NET and Go sources generate (no .NET SDK here; aws-cdk-go is too large to build)
#   nag        every cdk-nag pack the README names (AwsSolutions, HIPAA, NIST 800-53 rev 5, PCI DSS 3.2.1, Serverless),
#              cdk-nag 2 and 3, on stacks with every construct and option, in a consumer app (.ecosystem/nag) with the
#              packed library and the exact versions of test/smoke/nag/package-lock.json (the newest aws-cdk-lib tested);
#              the findings must be test/smoke/nag/expected-findings.txt, which the README documents
#   newest-aws-cdk-lib  the construct tests again, against that newest aws-cdk-lib (.ci/jest-newest-aws-cdk-lib.config.js);
#              `npx projen test` runs them against the minimum
#   runtimes   the bundled handler on every Node.js major its Lambda runtime can be (22, 24, 26; .ci/node): lifecycle
#              scenarios against the local services, and the example app synthesized, under each
#   packaging  a fresh clone of HEAD: npm ci, projen compile, package:js and package:python hold the handler
#              bundle, and package:js refuses to run without it
#   explore    the seeded fault explorer (npx projen explore) on 1,000 consecutive seeds: random stacks, operations
#              and faults, invariants after every step; a failing seed prints the command that replays it
#
# Usage: .ci/ecosystem.sh [CHECK...]   (default: all, in the order above)
set -uo pipefail
cd "$(dirname "$0")/.."

ALL_CHECKS=(cfn-lint api-model rosetta python java codegen nag newest-aws-cdk-lib runtimes packaging explore)
# Column width of a check's name in the summary.
NAME_WIDTH=18
TOOLS_VENV=.venv/ci
SMOKE_VENV=.venv/smoke-python

# The versions the library is built and tested against are its minimum peer versions.
package_field() { node -p "require('./package.json').$1"; }
MIN_AWS_CDK_LIB=$(package_field "devDependencies['aws-cdk-lib']")
MIN_CONSTRUCTS=$(package_field "devDependencies.constructs")
VERSION=$(package_field version)

log() { echo "[$CURRENT] $*"; }

tools_venv() {
  if [ -x "$TOOLS_VENV/bin/python" ] && cmp -s .ci/requirements.txt "$TOOLS_VENV/requirements.txt"; then return; fi
  log "creating $TOOLS_VENV from .ci/requirements.txt"
  rm -rf "$TOOLS_VENV"
  # --no-deps: the file pins every package, dependencies included; pip check proves the set is complete.
  python3 -m venv "$TOOLS_VENV" \
    && "$TOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r .ci/requirements.txt \
    && "$TOOLS_VENV/bin/pip" check --disable-pip-version-check >/dev/null \
    && cp .ci/requirements.txt "$TOOLS_VENV/requirements.txt"
}

# The consumer app (test/smoke/nag/app.js) in folder $1 with the packed library. Without $2, the exact versions of
# test/smoke/nag/package-lock.json; with $2, those packages at the versions $2 names (npm install specs).
NAG_DIR=.ecosystem/nag
consumer_app() {
  local dir=$1 specs=${2:-}
  mkdir -p "$dir"
  if [ -n "$specs" ]; then
    rm -rf "$dir/node_modules" "$dir/package-lock.json"
    cp test/smoke/nag/package.json "$dir/"
    # shellcheck disable=SC2086 # one spec per word
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error $specs >/dev/null) || return 1
  elif ! cmp -s test/smoke/nag/package-lock.json "$dir/package-lock.json" || [ ! -d "$dir/node_modules/aws-cdk-lib" ]; then
    cp test/smoke/nag/package.json test/smoke/nag/package-lock.json "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || return 1
  fi
  # lib/ and assets/ come from the compile that runs before these checks. The library has no dependencies of its
  # own (aws-cdk-lib and constructs are peers), so unpacking the tarball is what npm would install, without a resolve.
  local tarball
  rm -f "$dir"/cdk-personalize-*.tgz
  tarball=$(npm pack --silent --pack-destination "$dir" | tail -1) || return 1
  rm -rf "$dir/node_modules/cdk-personalize" && mkdir -p "$dir/node_modules/cdk-personalize"
  tar -xzf "$dir/$tarball" -C "$dir/node_modules/cdk-personalize" --strip-components=1 || return 1
  cp test/smoke/nag/app.js "$dir/app.js"
  log "consumer app in $dir: $tarball with $(consumer_versions "$dir")"
}

consumer_versions() {
  (cd "$1" && node -p "['aws-cdk-lib', 'constructs', 'cdk-nag2', 'cdk-nag3'].map((n) => n + ' ' + require(n + '/package.json').version).join(', ')")
}

# Runs the consumer app in folder $1 and sets DETAIL to its counts.
run_consumer_app() {
  local output status expected="$PWD/test/smoke/nag/expected-findings.txt"
  output=$(cd "$1" && NAG_EXPECTED_FINDINGS="$expected" node app.js 2>&1)
  status=$?
  echo "$output"
  DETAIL=$(grep -E '^cdk-nag [0-9.]+ ' <<<"$output" | sed -E 's/^(cdk-nag [0-9.]+) .*: ([0-9]+ findings).*; (as expected|.*gone).*/\1: \2, \3/' | paste -sd';' | sed 's/;/; /g')
  return "$status"
}

check_cfn_lint() {
  tools_venv || return 1
  npx projen synth:example >/dev/null || { log "synth:example failed"; return 1; }
  log "$("$TOOLS_VENV/bin/cfn-lint" --version)"
  local failed=0 linted=0 template output
  for template in examples/cdk.out/*.template.json test/integ/*.snapshot/*.template.json; do
    # integ-tests' empty assertion stack has no Resources; the CDK CLI never deploys an empty stack.
    if ! node -e "process.exit(Object.keys(require('./$template').Resources ?? {}).length ? 0 : 1)"; then
      log "skip  $template (no resources: never deployed)"
      continue
    fi
    linted=$((linted + 1))
    if output=$("$TOOLS_VENV/bin/cfn-lint" --format parseable -- "$template"); then
      log "ok    $template: 0 errors, 0 warnings"
    else
      failed=1
      log "FAIL  $template: $(grep -c ':E[0-9]' <<<"$output") errors, $(grep -c ':W[0-9]' <<<"$output") warnings"
      echo "$output"
    fi
  done
  DETAIL="$linted templates linted"
  [ "$linted" -gt 0 ] && [ "$failed" -eq 0 ]
}

check_api_model() {
  tools_venv || return 1
  local output
  # The default reporter only: the junit report in test-reports/ belongs to the main test run.
  output=$(PATH="$PWD/$TOOLS_VENV/bin:$PATH" npx jest test/validation.property.test.ts --coverage=false --ci --reporters=default \
    -t 'shapes above are those of the botocore Personalize model' 2>&1) || { echo "$output"; return 1; }
  grep -E '✓|✕|Tests:' <<<"$output"
  DETAIL="botocore $("$TOOLS_VENV/bin/python" -c 'import botocore; print(botocore.__version__)')"
  grep -q '✓ the shapes above' <<<"$output"
}

check_rosetta() {
  rm -f .jsii.tabl.json
  npx jsii-rosetta extract --strict || return 1
  local counts
  counts=$(node -e "
    const snippets = Object.values(require('./.jsii.tabl.json').snippets);
    const compiled = snippets.filter((s) => s.didCompile).length;
    console.log(snippets.length + ' ' + compiled);")
  read -r total compiled <<<"$counts"
  DETAIL="$compiled of $total snippets compiled"
  log "$DETAIL"
  [ "$total" -gt 0 ] && [ "$total" -eq "$compiled" ]
}

check_python() {
  tools_venv || return 1
  rm -rf dist/python
  PATH="$PWD/$TOOLS_VENV/bin:$PATH" npx jsii-pacmak --target python || return 1
  local wheel
  wheel=$(ls dist/python/*.whl) || return 1
  log "built $wheel"
  rm -rf "$SMOKE_VENV"
  python3 -m venv "$SMOKE_VENV" || return 1
  "$SMOKE_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps "$wheel" -r test/smoke/python/requirements.txt || return 1
  "$SMOKE_VENV/bin/pip" check --disable-pip-version-check || return 1
  grep -q "^aws-cdk-lib==$MIN_AWS_CDK_LIB\$" test/smoke/python/requirements.txt && grep -q "^constructs==$MIN_CONSTRUCTS\$" test/smoke/python/requirements.txt \
    || { log "test/smoke/python/requirements.txt must pin aws-cdk-lib==$MIN_AWS_CDK_LIB and constructs==$MIN_CONSTRUCTS"; return 1; }
  log "installed with test/smoke/python/requirements.txt (aws-cdk-lib==$MIN_AWS_CDK_LIB constructs==$MIN_CONSTRUCTS)"
  run_python_smoke "$SMOKE_VENV"
}

# Runs test/smoke/python/app.py in a venv; jsii runs it on the `node` of PATH, whose end-of-life banner must not show.
run_python_smoke() {
  local output
  output=$(cd test/smoke/python && "../../../$1/bin/python" app.py 2>&1) || { echo "$output"; return 1; }
  echo "$output"
  if grep -qi 'end-of-life\|end of life\|no longer supported' <<<"$output"; then log "FAIL  the app printed a Node.js support banner"; return 1; fi
  DETAIL="$(tail -1 <<<"$output") (node $(node --version))"
}

check_java() {
  rm -rf dist/java
  # The user's Maven cache, not pacmak's per-run one: aws-cdk-lib is large.
  npx jsii-pacmak --target java --maven-local-repository "$HOME/.m2/repository" || return 1
  log "built $(ls dist/java/io/github/cdkpersonalize/cdk-personalize/*/cdk-personalize-*[0-9].jar)"
  local maven=(mvn -B -q -f test/smoke/java/pom.xml "-Dcdk-personalize.version=$VERSION"
    "-Daws-cdk-lib.version=$MIN_AWS_CDK_LIB" "-Dconstructs.version=$MIN_CONSTRUCTS")
  "${maven[@]}" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:list -DincludeArtifactIds=cdk-personalize,aws-cdk-lib,constructs,jsii-runtime \
    -DoutputFile=target/deps.txt >/dev/null 2>&1 \
    && log "resolved: $(grep -oE '[a-z.]+:[a-z-]+:jar:[0-9.]+' test/smoke/java/target/deps.txt | tr '\n' ' ')"
  local output
  output=$("${maven[@]}" compile exec:java 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -v '^!!\|^$') || { echo "$output"; return 1; }
  echo "$output"
  grep -q 'checks passed' <<<"$output" || return 1
  DETAIL=$(tail -1 <<<"$output")
}

check_codegen() {
  rm -rf dist/dotnet dist/go
  npx jsii-pacmak --code-only --target dotnet --target go || return 1
  local cs go_files
  cs=$(find dist/dotnet -name '*.cs' | wc -l)
  go_files=$(find dist/go -name '*.go' | wc -l)
  # gofmt parses every generated Go file and exits non-zero on a syntax error.
  gofmt -e -l dist/go >/dev/null || return 1
  DETAIL="$cs C# files, $go_files Go files (all parse)"
  log "$DETAIL"
  [ "$cs" -gt 0 ] && [ "$go_files" -gt 0 ]
}

check_nag() {
  consumer_app "$NAG_DIR" || return 1
  run_consumer_app "$NAG_DIR"
}

check_newest_aws_cdk_lib() {
  consumer_app "$NAG_DIR" || return 1
  local version output
  version=$(cd "$NAG_DIR" && node -p "require('aws-cdk-lib/package.json').version")
  output=$(CDK_PERSONALIZE_AWS_CDK_LIB_UNDER_TEST="$version" npx jest --config .ci/jest-newest-aws-cdk-lib.config.js --ci 2>&1)
  local status=$?
  grep -E '^(PASS|FAIL)|✕|Tests:' <<<"$output"
  [ "$status" -eq 0 ] || echo "$output" | tail -80
  DETAIL="aws-cdk-lib $version: $(grep -oE '^Tests: .*' <<<"$output" | sed 's/^Tests: *//')"
  [ "$status" -eq 0 ]
}

# The Node.js majors the handler's Lambda runtime can be across the supported aws-cdk-lib range (ADR 0011).
RUNTIME_MAJORS=(22 24 26)
# Scenarios that run most of the bundle: every Personalize kind from data to an endpoint, training, Rekognition.
RUNTIME_SCENARIOS=(test/lifecycle-data-to-endpoint.test.ts test/lifecycle-training.test.ts test/lifecycle-rekognition.test.ts)

check_runtimes() {
  [ -d .ci/node/node_modules ] || npm ci --prefix .ci/node --no-audit --no-fund --loglevel=error >/dev/null || return 1
  local major bin proven=() output
  for major in "${RUNTIME_MAJORS[@]}"; do
    bin="$PWD/.ci/node/node_modules/node$major/bin"
    log "node $("$bin/node" --version): ${RUNTIME_SCENARIOS[*]}"
    if ! output=$(PATH="$bin:$PATH" npx jest "${RUNTIME_SCENARIOS[@]}" --coverage=false --ci --reporters=default 2>&1); then
      echo "$output" | tail -60
      return 1
    fi
    grep -E '^Tests:' <<<"$output"
    if ! output=$(PATH="$bin:$PATH" npx projen synth:example 2>&1); then
      echo "$output" | tail -30
      return 1
    fi
    log "node $major: example app synthesized"
    proven+=("$major")
  done
  DETAIL="bundle and synthesis on Node.js ${proven[*]}"
}

check_packaging() {
  tools_venv || return 1
  local dir log_file tools_path="$PWD/$TOOLS_VENV/bin"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/cdk-personalize-clone-XXXXXX")
  log_file="$dir.log"
  [ -z "$(git status --porcelain)" ] || log "note: uncommitted changes are not in the clone"
  git clone --quiet --no-checkout "$PWD" "$dir" && git -C "$dir" checkout --quiet "$(git rev-parse HEAD)" || return 1
  log "fresh clone of $(git rev-parse --short HEAD) in $dir: npm ci, projen compile, package:js, package:python"
  if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && npx projen compile && npx projen package:js \
    && PATH="$tools_path:$PATH" npx projen package:python) >"$log_file" 2>&1; then
    tail -40 "$log_file"
    return 1
  fi
  local tarball wheel found=0
  tarball=$(ls "$dir"/dist/js/*.tgz) && wheel=$(ls "$dir"/dist/python/*.whl) || return 1
  local listing
  listing=$(tar -tzf "$tarball") || return 1
  # Not `tar | grep -q`: under pipefail, grep's early exit makes tar fail with SIGPIPE.
  if grep -qx 'package/assets/provider-handler/index.js' <<<"$listing"; then
    log "ok    $(basename "$tarball") holds package/assets/provider-handler/index.js"; found=$((found + 1))
  else
    log "FAIL  $(basename "$tarball") has no assets/provider-handler/index.js"
  fi
  # The wheel carries the npm package as an embedded .jsii.tgz, which jsii loads at run time.
  if python3 - "$wheel" <<'PY'
import io, sys, tarfile, zipfile
wheel = zipfile.ZipFile(sys.argv[1])
embedded = [name for name in wheel.namelist() if name.endswith('.jsii.tgz')]
names = tarfile.open(fileobj=io.BytesIO(wheel.read(embedded[0]))).getnames() if embedded else []
sys.exit(0 if 'package/assets/provider-handler/index.js' in names else 1)
PY
  then
    log "ok    $(basename "$wheel") holds assets/provider-handler/index.js in its embedded jsii package"; found=$((found + 1))
  else
    log "FAIL  $(basename "$wheel") has no assets/provider-handler/index.js"
  fi
  rm -rf "$dir/assets"
  if (cd "$dir" && npx projen package:js) >"$log_file" 2>&1; then
    log "FAIL  package:js ran without the handler bundle"
  else
    log "ok    package:js refuses to run without the handler bundle: $(grep -m1 '^assets/provider-handler/index.js is missing' "$log_file")"; found=$((found + 1))
  fi
  rm -rf "$dir" "$log_file"
  DETAIL="$found of 3: npm tarball and wheel hold the handler; packaging without it fails"
  [ "$found" -eq 3 ]
}

check_explore() {
  local output status
  output=$(npx projen explore --seeds "${EXPLORE_SEEDS:-1000}" 2>&1)
  status=$?
  # Failing seeds' reports and the counts; not the task banner.
  grep -v '^👾' <<<"$output"
  DETAIL=$(grep -E '^explore: ' <<<"$output" | tail -1 | sed 's/^explore: //')
  [ "$status" -eq 0 ] && [ -n "$DETAIL" ]
}

# .ci/latest.sh reuses the functions above.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

[ $# -gt 0 ] || set -- "${ALL_CHECKS[@]}"
[ -f .jsii ] || { echo "No .jsii: compile first (npx projen compile, or run npx projen check:ecosystem)." >&2; exit 1; }

summary=()
passed=0
failed=0
for CURRENT in "$@"; do
  fn="check_${CURRENT//-/_}"
  if ! declare -F "$fn" >/dev/null; then
    echo "Unknown check '$CURRENT'; known: ${ALL_CHECKS[*]}" >&2
    exit 2
  fi
  echo
  echo "=== ecosystem check: $CURRENT ($(date -u +%H:%M:%S))"
  DETAIL=''
  start=$SECONDS
  if "$fn"; then result=PASS; passed=$((passed + 1)); else result=FAIL; failed=$((failed + 1)); fi
  summary+=("$(printf "%-4s %-${NAME_WIDTH}s %5ss  %s" "$result" "$CURRENT" "$((SECONDS - start))" "$DETAIL")")
done

echo
echo "=== ecosystem summary"
printf '%s\n' "${summary[@]}"
echo "ecosystem: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
