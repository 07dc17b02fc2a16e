#!/usr/bin/env bash
# `make assets`: refreshes the front-end files the pages use from the npm registry, at the versions pinned in
# package-lock.json, and copies only the built files the service serves (precompiled CSS and JavaScript, fonts,
# images; no Sass) into core/static/vendor/<package>/, each package's licence beside them. The copied files are
# committed, so running the service needs only Python; run this after changing a version in package.json
# (`npm install --package-lock-only` first, to update the lock file).
#
# The precompiled GOV.UK Frontend and MOJ Frontend style sheets point at /assets/...; they are rewritten to point at
# the assets copied beside them (assets/...), so they work under STATIC_URL and with hashed file names.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "error: npm is needed to refresh the assets (apt-get install npm)" >&2; exit 1; }
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

modules=node_modules
vendor=core/static/vendor
rm -rf "$vendor"
mkdir -p "$vendor"

copy() { # copy SOURCE... DESTINATION_DIRECTORY
  local destination="${*: -1}"
  mkdir -p "$destination"
  cp -R "${@:1:$#-1}" "$destination/"
}

licence() { # licence PACKAGE_DIRECTORY DESTINATION_DIRECTORY NAME: the package's own licence file, or its SPDX name
  local package=$1 destination=$2 file
  file=$(find "$package" -maxdepth 1 -iname 'licen[cs]e*' -o -maxdepth 1 -iname 'mit-licen[cs]e*' | head -n 1)
  if [[ -n $file ]]; then
    cp "$file" "$destination/LICENCE.txt"
  else
    node -e 'const p = require(process.argv[1]); console.log(`${p.name} ${p.version}\nLicence: ${p.license}\nSee ${p.homepage || p.repository.url || ""}`)' \
      "$(realpath "$package")/package.json" >"$destination/LICENCE.txt"
  fi
  node -e 'const p = require(process.argv[1]); console.log(`${p.name}@${p.version}`)' \
    "$(realpath "$package")/package.json" >"$destination/VERSION.txt"
}

rewrite_asset_urls() { # the precompiled CSS points at /assets/; point it at the assets beside it
  sed -i 's#url(/assets/#url(assets/#g' "$1"
}

# GOV.UK Frontend: CSS, the ES module with initAll, fonts and images.
govuk=$modules/govuk-frontend/dist/govuk
copy "$govuk"/govuk-frontend.min.css "$govuk"/govuk-frontend.min.css.map \
  "$govuk"/govuk-frontend.min.js "$govuk"/govuk-frontend.min.js.map "$vendor/govuk-frontend"
copy "$govuk"/assets/fonts "$govuk"/assets/images "$govuk"/assets/manifest.json "$vendor/govuk-frontend/assets"
rewrite_asset_urls "$vendor/govuk-frontend/govuk-frontend.min.css"
licence "$modules/govuk-frontend" "$vendor/govuk-frontend"

# MOJ Frontend: CSS (filter layout, sortable table and the rest), its ES module and images.
moj=$modules/@ministryofjustice/frontend/moj
copy "$moj"/moj-frontend.min.css "$moj"/moj-frontend.min.css.map \
  "$moj"/moj-frontend.min.js "$moj"/moj-frontend.min.js.map "$vendor/moj-frontend"
copy "$moj"/assets/images "$vendor/moj-frontend/assets"
rewrite_asset_urls "$vendor/moj-frontend/moj-frontend.min.css"
licence "$modules/@ministryofjustice/frontend" "$vendor/moj-frontend"

# Leaflet and its marker clusters: the built script, style sheets and marker images.
copy "$modules"/leaflet/dist/leaflet.js "$modules"/leaflet/dist/leaflet.js.map "$modules"/leaflet/dist/leaflet.css \
  "$modules"/leaflet/dist/images "$vendor/leaflet"
licence "$modules/leaflet" "$vendor/leaflet"
copy "$modules"/leaflet.markercluster/dist/leaflet.markercluster.js \
  "$modules"/leaflet.markercluster/dist/leaflet.markercluster.js.map \
  "$modules"/leaflet.markercluster/dist/MarkerCluster.css \
  "$modules"/leaflet.markercluster/dist/MarkerCluster.Default.css "$vendor/leaflet.markercluster"
licence "$modules/leaflet.markercluster" "$vendor/leaflet.markercluster"

# axe-core: the accessibility rules the browser tests inject into each page.
copy "$modules"/axe-core/axe.min.js "$modules"/axe-core/LICENSE-3RD-PARTY.txt "$vendor/axe-core"
licence "$modules/axe-core" "$vendor/axe-core"

echo "Assets copied into $vendor:"
find "$vendor" -name VERSION.txt -exec cat {} +
