#!/usr/bin/env bash
# Sends examples/curl/logs.json to a Contrail server as OTLP/HTTP JSON, then the same kind of
# payload gzip-compressed. Usage: examples/curl/send-logs.sh [BASE_URL]   (default http://127.0.0.1:9000)
# With authentication on: CONTRAIL_TOKEN=<api key> examples/curl/send-logs.sh
set -euo pipefail
base="${1:-http://127.0.0.1:9000}"
here="$(cd "$(dirname "$0")" && pwd)"
auth=()
if [ -n "${CONTRAIL_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer ${CONTRAIL_TOKEN}"); fi

echo "POST $base/v1/logs (application/json)"
curl -sS --fail-with-body "${auth[@]}" -H 'Content-Type: application/json' \
  --data-binary "@$here/logs.json" "$base/v1/logs"
echo

# Compressed: Contrail undoes Content-Encoding (gzip, deflate, br, lz4) and stores the plain bytes.
# (A different service name makes it a distinct payload; identical bytes would be stored once.)
echo "POST $base/v1/logs (application/json, gzip)"
sed 's/curl-demo/curl-demo-gzip/' "$here/logs.json" | gzip -c |
  curl -sS --fail-with-body "${auth[@]}" -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' \
    --data-binary @- "$base/v1/logs"
echo
