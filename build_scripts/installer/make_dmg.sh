#!/usr/bin/env bash
# Pack the macOS app into a compressed disk image: the app, an Applications shortcut to drag it
# onto, and the app's icon on the volume. Run on macOS after build.py:
#
#   build_scripts/installer/make_dmg.sh "dist/Iris Field.app" dist/iris-field-0.1.0-macos-arm64.dmg
#
# With CODESIGN_IDENTITY set, the image is signed too (the app itself is signed by the spec);
# notarization (build_scripts/notarize.py) is a separate step of the release workflow: the app is
# notarized and stapled before it goes into the image, the image after it is made.
set -euo pipefail
# shellcheck source=build_scripts/installer/retry.sh
source "$(dirname "$0")/retry.sh"
HDIUTIL_ATTEMPTS=5

app=${1:?usage: make_dmg.sh APP_BUNDLE OUTPUT_DMG}
dmg=${2:?usage: make_dmg.sh APP_BUNDLE OUTPUT_DMG}
volume_name="Iris Field"

[[ -d "$app" ]] || { echo "make_dmg.sh: no app bundle at $app" >&2; exit 1; }
staging=$(mktemp -d)
trap 'rm -rf "$staging" "$staging.rw.dmg"' EXIT

# ditto keeps the bundle's symlinks, extended attributes and code signature intact (cp -R may not).
ditto "$app" "$staging/$(basename "$app")"
ln -s /Applications "$staging/Applications"
icon="$app/Contents/Resources/$(defaults read "$(cd "$app" && pwd)/Contents/Info" CFBundleIconFile 2>/dev/null || true)"
[[ -f "$icon" ]] && cp "$icon" "$staging/.VolumeIcon.icns"

# A writable image first: the volume's "has a custom icon" flag can only be set on a mounted volume.
rm -f "$dmg"
writable="$staging.rw.dmg"
# Every hdiutil call is retried: "create failed - Resource busy" is a known flake on macOS runners.
retry "$HDIUTIL_ATTEMPTS" hdiutil create -volname "$volume_name" -srcfolder "$staging" -fs HFS+ -format UDRW -ov "$writable"
if [[ -f "$staging/.VolumeIcon.icns" ]] && command -v SetFile >/dev/null; then
    mount_point=$(mktemp -d)
    retry "$HDIUTIL_ATTEMPTS" hdiutil attach "$writable" -nobrowse -noverify -noautoopen -mountpoint "$mount_point"
    SetFile -a C "$mount_point"  # SetFile comes with the Xcode command line tools
    retry "$HDIUTIL_ATTEMPTS" hdiutil detach "$mount_point"
fi
convert_image() {
    rm -f "$dmg"  # a failed attempt may leave a partial image, which hdiutil refuses to overwrite
    # ULMO = LZMA-compressed, read-only image (macOS 10.15 and later): the Linux .tar.xz's compression.
    hdiutil convert "$writable" -format ULMO -o "$dmg"
}
retry "$HDIUTIL_ATTEMPTS" convert_image
rm -f "$writable"

if [[ -n "${CODESIGN_IDENTITY:-}" ]]; then
    codesign --force --sign "$CODESIGN_IDENTITY" --timestamp "$dmg"
fi
retry "$HDIUTIL_ATTEMPTS" hdiutil verify "$dmg"
ls -l "$dmg"
