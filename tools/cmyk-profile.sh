#!/bin/sh
# Makes the default CMYK output profile for PDF/X: "Coated FOGRA39", the characterization
# of offset printing on coated paper (ISO 12647-2), built with ArgyllCMS's colprof from
# the FOGRA39L measurements that Debian ships in icc-profiles-free (zlib licence).
# An edition printed elsewhere names its printer's profile in edition.yaml
# (print.output_profile) instead.
#   usage: sh tools/cmyk-profile.sh OUTPUT.icc
set -e
out="$1"
data=/usr/share/color/icc/FOGRA39L.ti3
if ! command -v colprof >/dev/null 2>&1 || [ ! -f "$data" ]; then
  echo "cmyk-profile: needs Debian's argyll and icc-profiles-free (make system-deps installs them)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$data" "$work/FOGRA39L.ti3"
# -qm: medium quality tables; -l 330: the total ink limit of ISO 12647-2 sheet-fed coated paper
colprof -qm -l 330 -M "FOGRA39" -D "Coated FOGRA39 (ISO 12647-2:2004)" \
  -C "Made with ArgyllCMS from FOGRA39L data (Fogra; zlib licence, Debian icc-profiles-free)" \
  -O "$work/profile.icc" "$work/FOGRA39L" >/dev/null
mkdir -p "$(dirname "$out")"
mv "$work/profile.icc" "$out"
echo "made $out"
