#!/bin/sh
# One HTTP request on stdin/stdout (run by `nc -ll -e` once per connection).
# /healthz: 200 at once. /ready: 503 until /tmp/standin-ready exists, then 200.
# /: a small page. Anything else: 404. Always "Connection: close".
cr=$(printf '\r')
read -r method target _ || exit 0
while read -r -t 2 header; do
  [ "${header%"$cr"}" = "" ] && break
done
path=${target%%\?*}

respond() {
  printf 'HTTP/1.1 %s\r\nServer: wbtui-standin\r\nContent-Type: %s\r\n' "$1" "$2"
  printf 'Content-Length: %s\r\nConnection: close\r\n\r\n' "${#3}"
  [ "$method" = HEAD ] || printf '%s' "$3"
}

case "$path" in
  /healthz) respond "200 OK" text/plain "ok
" ;;
  /ready)
    if [ -e /tmp/standin-ready ]; then
      respond "200 OK" text/plain "ready
"
    else
      respond "503 Service Unavailable" text/plain "migrations running
"
    fi ;;
  /) respond "200 OK" text/html "<html><head><title>Weights &amp; Biases</title></head><body>W&amp;B Local (wbtui test stand-in)</body></html>
" ;;
  *) respond "404 Not Found" text/plain "404 page not found
" ;;
esac
