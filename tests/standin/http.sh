#!/bin/sh
# HTTP/1.1 on one connection (run by `nc -ll -e`, one shell per connection). The connection stays open for
# the next request, as W&B's server keeps it, until the client sends "Connection: close", speaks HTTP/1.0,
# or is idle for 60 s.
# /healthz: 200 at once. /ready: 503 until /tmp/standin-ready exists, then 200.
# /: a small page. Anything else: 404.
cr=$(printf '\r')

respond() {  # one write: a reply in pieces would wait on the client's delayed ACK (Nagle), 40 ms a request
  connection=
  [ -n "$close" ] && connection="Connection: close$cr
"
  body=$3
  [ "$method" = HEAD ] && body=
  printf 'HTTP/1.1 %s\r\nServer: wbtui-standin\r\nContent-Type: %s\r\nContent-Length: %s\r\n%s\r\n%s' \
    "$1" "$2" "${#3}" "$connection" "$body"
}

while read -r -t 60 method target version; do
  close=
  [ "${version%"$cr"}" = "HTTP/1.1" ] || close=1
  while read -r -t 2 header; do
    header=${header%"$cr"}
    [ "$header" = "" ] && break
    case "$header" in [Cc][Oo][Nn][Nn][Ee][Cc][Tt][Ii][Oo][Nn]:*[Cc][Ll][Oo][Ss][Ee]*) close=1 ;; esac
  done
  path=${target%%\?*}
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
  [ -n "$close" ] && exit 0
done
exit 0
