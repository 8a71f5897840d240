#!/bin/sh
# Converts each EPUB in output/ (or the files given) to Kindle's AZW3 with Calibre's
# ebook-convert and reports every warning or error it prints. Installs Debian's calibre
# when it is missing. Exit status: 0 clean, 1 warnings or errors, 2 conversion failed.
set -u
if ! command -v ebook-convert >/dev/null 2>&1; then
  echo "installing calibre (Debian) for ebook-convert"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=""; fi
  $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends calibre || exit 2
fi
[ $# -gt 0 ] || set -- output/*.epub
status=0
work=$(mktemp -d)
for epub in "$@"; do
  out="$work/$(basename "$epub" .epub).azw3"
  if ! QT_QPA_PLATFORM=offscreen ebook-convert "$epub" "$out" >"$work/log" 2>&1; then
    echo "$epub: conversion FAILED"; cat "$work/log"; status=2; continue
  fi
  problems=$(grep -iE 'warn|error|fail|invalid|could not|not found' "$work/log" || true)
  if [ -n "$problems" ]; then
    echo "$epub: converted with warnings:"; echo "$problems" | sed 's/^/    /'; [ $status -eq 0 ] && status=1
  else
    echo "$epub: converted to AZW3 cleanly ($(wc -c <"$out") bytes)"
  fi
done
rm -rf "$work"
exit $status
