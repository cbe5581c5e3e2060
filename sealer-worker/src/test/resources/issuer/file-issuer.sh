#!/bin/bash
# A user's issuer program for CommandIssuerTest: its "server" is a directory ($STORE) with one file per valid key.
# Behaviour switches (files in $STORE): busy -> exit 75, hang -> sleep, fail-test -> the test step fails,
# printing the secret on stderr (which the sealer must never show).
set -eu
input=$(cat)
step=$(jq -r .step <<<"$input")
[ -e "$STORE/busy" ] && { echo "server busy" >&2; exit 75; }
[ -e "$STORE/hang" ] && sleep 30
case "$step" in
  create)
    key="k-$(jq -r .rotationId <<<"$input")"
    secret=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s' "$secret" > "$STORE/$key"           # replaces the key of an earlier run of the same rotation
    jq -n --arg v "$key" --arg s "$secret" '{version: $v, fields: {accessKey: $v, secretKey: $s}}' ;;
  test)
    key=$(jq -r .version <<<"$input"); secret=$(jq -r .fields.secretKey <<<"$input")
    if [ -e "$STORE/fail-test" ]; then echo "login refused for $key with $secret" >&2; exit 1; fi
    [ "$(cat "$STORE/$key" 2>/dev/null)" = "$secret" ] ;;
  discard) rm -f "$STORE/$(jq -r .version <<<"$input")" ;;
  finish) rm -f "$STORE/$(jq -r .revoke <<<"$input")" ;;
  *) echo "unknown step" >&2; exit 2 ;;
esac
