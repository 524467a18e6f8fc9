#!/usr/bin/env bash
# The steps of the harvester GitHub Action (action.yml), one sub-command per step, so that they
# can be read, run and tested outside GitHub. Settings arrive as HV_* variables; GitHub's own
# files ($GITHUB_OUTPUT, $GITHUB_ENV, $GITHUB_STEP_SUMMARY) receive the results.
set -euo pipefail

step="${1:?usage: release-document.sh fetch|install|report|attach|gate}"

case "$step" in
fetch)
  # actions/checkout clones one commit and no tags by default; harvester needs the range.
  if [[ "${HV_FETCH:-true}" != "true" ]]; then
    exit 0
  fi
  if [[ "$(git rev-parse --is-shallow-repository)" == "true" ]]; then
    echo "harvester: shallow clone: fetching the full history and the tags from origin"
    git fetch --quiet --unshallow --tags --force origin
  else
    echo "harvester: fetching the tags from origin"
    git fetch --quiet --tags --force origin
  fi
  ;;

install)
  if [[ "${HV_INSTALL:-true}" != "true" ]]; then
    command -v harvester >/dev/null || {
      echo "::error::install is false but harvester is not on PATH"
      exit 1
    }
    exit 0
  fi
  venv="${RUNNER_TEMP:-/tmp}/harvester-venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "${GITHUB_ACTION_PATH:?}"
  echo "$venv/bin" >>"${GITHUB_PATH:?}"
  ;;

report)
  mkdir -p "$(dirname "${HV_OUTPUT:?}")"
  args=(report --repo . -o "${HV_OUTPUT:?}" --format "${HV_FORMAT:-markdown}")
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    args+=(--summary "$GITHUB_STEP_SUMMARY")
  fi
  if [[ -n "${HV_FAIL_ON:-}" ]]; then
    args+=(--fail-on "$HV_FAIL_ON")
  fi
  if [[ -n "${HV_RANGE:-}" ]]; then
    args+=("$HV_RANGE")
  fi
  code=0
  harvester "${args[@]}" || code=$?
  {
    echo "document=$HV_OUTPUT"
    echo "exit-code=$code"
  } >>"${GITHUB_OUTPUT:?}"
  # 3 is the fail-on gate: the document exists; upload and attach it before failing.
  if [[ $code -ne 0 && $code -ne 3 ]]; then
    exit "$code"
  fi
  ;;

attach)
  ref="${GITHUB_REF:-}"
  if [[ "${HV_ATTACH:-true}" != "true" || "$ref" != refs/tags/* ]]; then
    echo "harvester: not a tag build (or attach-to-release is off): nothing to attach"
    exit 0
  fi
  tag="${ref#refs/tags/}"
  if gh release view "$tag" >/dev/null 2>&1; then
    gh release upload "$tag" "${HV_OUTPUT:?}" --clobber
    echo "harvester: attached $HV_OUTPUT to release $tag"
  else
    echo "::warning::no GitHub release for $tag yet, so the document is only a workflow" \
      "artefact; run this workflow on 'release: published' to attach it"
  fi
  ;;

gate)
  code="${HV_EXIT_CODE:-0}"
  if [[ "$code" != "0" ]]; then
    echo "::error::harvester --fail-on: a migration in the range carries a gated data-impact tag"
    exit "$code"
  fi
  ;;

*)
  echo "release-document.sh: unknown step '$step'" >&2
  exit 2
  ;;
esac
