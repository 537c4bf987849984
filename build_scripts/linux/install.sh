#!/bin/sh
# Put Iris Field into this user's application menu: run it from the unpacked iris-field folder,
#
#   ~/Applications/iris-field/install.sh
#
# It writes ~/.local/share/applications/iris-field.desktop (pointing at this folder) and the icon
# into ~/.local/share/icons, creating the folders when missing. No administrator rights needed.
# Run it again after moving the folder; `install.sh --uninstall` removes both files again.
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
data_home=${XDG_DATA_HOME:-"$HOME/.local/share"}
applications="$data_home/applications"
icons="$data_home/icons/hicolor/256x256/apps"
entry="$applications/iris-field.desktop"
icon="$icons/iris-field.png"

refresh_menus() {
    # Optional helpers: most desktops notice the change without them.
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database "$applications" >/dev/null 2>&1 || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$data_home/icons/hicolor" >/dev/null 2>&1 || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$entry" "$icon"
    refresh_menus
    echo "Iris Field was removed from the application menu (the program folder and your observations stay)."
    exit 0
fi

if [ ! -x "$here/iris-field" ] || [ ! -f "$here/iris-field.desktop" ]; then
    echo "install.sh: run me from the unpacked iris-field folder (no iris-field program next to $0)" >&2
    exit 1
fi

mkdir -p "$applications" "$icons"
cp "$here/iris-field.png" "$icon.tmp" && mv -f "$icon.tmp" "$icon"

# The Exec line names this folder's program, quoted as the Desktop Entry Specification asks:
# \ " ` $ escaped inside the quotes, then every backslash doubled for the string value, % as %%.
quoted=$(printf '%s' "$here/iris-field" | sed -e 's/[\\"`$]/\\&/g' -e 's/\\/\\\\/g' -e 's/%/%%/g')
while IFS= read -r line || [ -n "$line" ]; do
    case $line in
        Exec=*) printf 'Exec="%s"\n' "$quoted" ;;
        *) printf '%s\n' "$line" ;;
    esac
done <"$here/iris-field.desktop" >"$entry.tmp"
mv -f "$entry.tmp" "$entry"
refresh_menus
echo "Iris Field is now in your application menu ($entry)."
