#!/bin/bash
# A `command` issuer for MinIO access keys, with `mc admin accesskey` (MinIO client) and jq.
# Reseal runs it once per step with a JSON object on stdin (see docs/operations.md, "The command issuer").
#
#   issuers:
#     - name: mlflow-s3
#       command:
#         run: [/etc/reseal/minio-accesskey-issuer.sh]
#         fields: [accessKey, secretKey]
#         timeout: PT30S
#         environment:
#           MINIO_URL: {literal: "https://minio.example.com"}
#           MINIO_ADMIN_USER: {literal: reseal-admin}
#           MINIO_ADMIN_PASSWORD: {env: MINIO_ADMIN_PASSWORD}
#           MINIO_TARGET_USER: {literal: mlflow}        # the user whose access keys rotate
#           MINIO_KEY_EXPIRY: {literal: 2160h}          # a backstop at the issuer: 90 days
#       revokePrevious: {after: P3D}
#   bundles:
#     - name: ml-platform
#       keys:
#         AWS_ACCESS_KEY_ID: {issued: {issuer: mlflow-s3, field: accessKey}}
#         AWS_SECRET_ACCESS_KEY: {issued: {issuer: mlflow-s3, field: secretKey}}
#
# Exit codes: 0 done, 75 try again later (MinIO unreachable), anything else a permanent failure. Whatever this
# prints on stderr is never logged by Reseal (it may hold secrets); only its size is.
# Every step is idempotent: the key is named after the rotation, so a re-run replaces it instead of adding one.
set -euo pipefail

input=$(cat)
step=$(jq -r .step <<<"$input")
host=${MINIO_URL#*://}
scheme=${MINIO_URL%%://*}
# The admin alias lives in the environment only (never on a command line, never in ~/.mc).
export MC_HOST_reseal="$scheme://$(jq -rn --arg v "$MINIO_ADMIN_USER" '$v|@uri'):$(jq -rn --arg v "$MINIO_ADMIN_PASSWORD" '$v|@uri')@$host"
export MC_CONFIG_DIR=$(mktemp -d)
trap 'rm -rf "$MC_CONFIG_DIR"' EXIT

mc_or_retry() {   # a MinIO that cannot be reached is worth a retry; a refusal is not
  if ! out=$(mc --json "$@" 2>&1); then
    if grep -qiE 'connection refused|timeout|no such host|503' <<<"$out"; then exit 75; fi
    echo "$out" >&2; exit 1
  fi
  printf '%s' "$out"
}

case "$step" in
  create)
    # MinIO access keys: 3-20 characters; derived from the rotation id, so a re-run names the same key
    key="RS$(printf '%s' "$(jq -r .rotationId <<<"$input")" | sha256sum | cut -c1-18 | tr a-f A-F)"
    secret=$(head -c 30 /dev/urandom | base64 | tr -d '/+=' | cut -c1-40)
    mc --json admin accesskey rm reseal "$key" >/dev/null 2>&1 || true
    mc_or_retry admin accesskey create reseal "$MINIO_TARGET_USER" --access-key "$key" --secret-key "$secret" \
      --expiry-duration "${MINIO_KEY_EXPIRY:-2160h}" >/dev/null
    jq -n --arg k "$key" --arg s "$secret" '{version: $k, fields: {accessKey: $k, secretKey: $s}}'
    ;;
  test)
    key=$(jq -r .fields.accessKey <<<"$input"); secret=$(jq -r .fields.secretKey <<<"$input")
    # log in with the new key: list the buckets it may see
    MC_HOST_pending="$scheme://$key:$(jq -rn --arg v "$secret" '$v|@uri')@$host" mc_or_retry ls pending >/dev/null
    ;;
  discard)
    mc --json admin accesskey rm reseal "$(jq -r .version <<<"$input")" >/dev/null 2>&1 || true
    ;;
  finish)
    revoke=$(jq -r .revoke <<<"$input")
    if ! mc --json admin accesskey info reseal "$revoke" >/dev/null 2>&1; then exit 0; fi   # already gone
    mc_or_retry admin accesskey rm reseal "$revoke" >/dev/null
    ;;
  *) echo "unknown step $step" >&2; exit 2 ;;
esac
