#!/usr/bin/env bash
# Runs servicemap and the issues' anchors on the same generated (synthetic) data, one after the
# other in one run, and prints each as a whole process: wall seconds and peak resident memory.
#
#   swift build -c release
#   .build/release/servicemap-bench generate --rows 100000 --out /tmp/bench
#   Benchmarks/compare.sh import /tmp/bench     # xlsx and CSV import vs python-calamine, openpyxl, csv
#   Benchmarks/compare.sh site /tmp/bench       # site build and one-change rebuild vs Hugo; search vs Pagefind
#
# The anchors need: pip install python-calamine openpyxl pagefind-bin selenium; apt-get install hugo
# chromium chromium-driver sqlite3.
#
# `import` also times what SQLite alone takes to store that CSV, through its own shell (C, no Swift,
# no mapping or checks): loading the rows into one bare table, with no key, no index, no journal
# and no sync; and building a full-text index of the names and descriptions with the tokenizer
# servicemap's search uses. Together they are a floor under any import that stores the directory
# in SQLite and can search it.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:?import or site}
data=${2:?a folder written by servicemap-bench generate}
bin=.build/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# time_it LABEL COMMAND...: prints "LABEL  wall s  peak MiB" for the command as a whole process.
# Each command starts with the disk quiet: what the command before it wrote (a 600 MB site, a
# 270 MB database) is flushed first, so no command is timed while the kernel writes another's files.
time_it() {
  local label=$1
  shift
  sync
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>&1 || { cat "$work/out"; return 1; }
  read -r wall kib <"$work/time"
  printf '%-52s %8.2f s %8.0f MiB\n' "$label" "$wall" "$((kib / 1024))"
}

case $what in
import)
  xlsx=$(ls "$data"/xlsx/*.xlsx | head -1)
  csv=$(ls "$data"/csv/synthetic-services.csv)
  time_it "python-calamine reads $(basename "$xlsx")" python3 Benchmarks/anchors/read_anchors.py calamine "$xlsx"
  time_it "openpyxl (read-only) reads $(basename "$xlsx")" python3 Benchmarks/anchors/read_anchors.py openpyxl "$xlsx"
  time_it "servicemap imports $data/xlsx" "$bin/servicemap" import --quiet --database "$work/xlsx.sqlite" "$data/xlsx"
  time_it "python csv reads $(basename "$csv")" python3 Benchmarks/anchors/read_anchors.py csv "$csv"
  time_it "servicemap imports $data/csv" "$bin/servicemap" import --quiet --database "$work/csv.sqlite" "$data/csv"
  time_it "floor: sqlite3 loads the CSV into a bare table" \
    sqlite3 "$work/floor.sqlite" -cmd "PRAGMA journal_mode = OFF" -cmd "PRAGMA synchronous = OFF" ".import --csv $csv directory"
  time_it "floor: SQLite indexes its names and descriptions" \
    sqlite3 "$work/floor.sqlite" -cmd "PRAGMA journal_mode = OFF" -cmd "PRAGMA synchronous = OFF" \
    "CREATE VIRTUAL TABLE search USING fts5(name, description, content = '', tokenize = 'porter unicode61 remove_diacritics 2')" \
    "INSERT INTO search (rowid, name, description) SELECT rowid, \"Service name\", Description FROM directory"
  ;;
site)
  # Import from a copy that is edited below: the pages cite the files they came from, so the
  # rebuild must re-import the same path for the one-service change to be one service's change.
  mkdir -p "$work/data"
  cp "$data"/csv/*.csv "$work/data/"
  "$bin/servicemap" import --quiet --database "$work/site.sqlite" "$work/data" >/dev/null 2>&1
  python3 Benchmarks/anchors/hugo_pagefind.py content "$data/csv/synthetic-services.csv" "$work/hugo" >/dev/null
  time_it "hugo builds the same services" hugo --quiet -s "$work/hugo"
  time_it "servicemap builds the site" "$bin/servicemap" build --quiet --database "$work/site.sqlite" --output "$work/site"
  # One service changes: edit its description, re-import, rebuild (incrementally, over the last build).
  sed -i '2s/Synthetic record 0 for benchmarking/Synthetic record 0, changed, for benchmarking/' "$work/data/synthetic-services.csv"
  "$bin/servicemap" import --quiet --database "$work/site.sqlite" "$work/data" >/dev/null 2>&1
  time_it "servicemap rebuilds after one service changed" "$bin/servicemap" build --quiet --database "$work/site.sqlite" --output "$work/site"
  time_it "pagefind indexes Hugo's pages" python3 -m pagefind_bin --site "$work/hugo/public"
  python3 Benchmarks/anchors/hugo_pagefind.py query "$work/hugo/public" counselling synthetic
  python3 Tests/browser/measure_search.py "$work/site" "q=counselling" "q=synthetic"
  ;;
*)
  echo "usage: $0 import|site DATA" >&2
  exit 2
  ;;
esac
