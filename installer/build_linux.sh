#!/usr/bin/env bash
# Build the one-folder bundle with PyInstaller, package it as a .deb for UOS/Kylin/Debian,
# install the .deb into a throwaway root with dpkg --root, and run the self-test from there.
# Usage: installer/build_linux.sh            (from anywhere; needs python3, dpkg-deb; root for apt deps)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)"
ARCH="$(dpkg --print-architecture)"
BUILD="$ROOT/build"
PKG="zwgk-desktop_${VERSION}_${ARCH}"

echo "== 1/5 environment"
python3 dev.py >/dev/null 2>&1 || true
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/pip install -q -e ".[installer]"

echo "== 2/5 PyInstaller bundle"
rm -rf "$BUILD/dist" "$BUILD/work"
.venv/bin/pyinstaller installer/zwgk.spec --noconfirm --log-level WARN --distpath "$BUILD/dist" --workpath "$BUILD/work"
BUNDLE="$BUILD/dist/zwgk-desktop"
# The package's modules are already bytecode inside the bundle's PYZ archive; the Alembic migrations are data
# files that the bundled Python imports from source, so compile them too (nothing is compiled at start-up,
# and /opt is read-only for the clerk anyway).
MIGRATIONS="$(find "$BUNDLE" -maxdepth 3 -type d -name versions -path '*/db/versions' | head -1)"
if [ -n "$MIGRATIONS" ]; then .venv/bin/python -m compileall -q "$(dirname "$MIGRATIONS")"; fi
du -sh "$BUNDLE" | awk '{print "bundle size: " $1}'

echo "== 3/5 .deb"
STAGE="$BUILD/deb/$PKG"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" "$STAGE/usr/share/icons/hicolor/256x256/apps"
cp -a "$BUNDLE" "$STAGE/opt/zwgk-desktop"
ln -s /opt/zwgk-desktop/zwgk "$STAGE/usr/bin/zwgk"
install -m 644 installer/linux/zwgk-desktop.desktop "$STAGE/usr/share/applications/"
install -m 644 resources/icons/zwgk.png "$STAGE/usr/share/icons/hicolor/256x256/apps/zwgk-desktop.png"
SIZE_KB="$(du -sk "$STAGE/opt" | cut -f1)"
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: zwgk-desktop
Version: ${VERSION}
Section: office
Priority: optional
Architecture: ${ARCH}
Installed-Size: ${SIZE_KB}
Depends: libc6, libegl1, libgl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libdbus-1-3, libglib2.0-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libxcb-xinerama0, libxcb-randr0, libxcb-render-util0, libxcb-image0
Maintainer: zwgk_desktop team <zwgk@localhost>
Description: 乡镇公示栏政务公开桌面系统 (township notice-board disclosure)
 Offline desktop app for township governments: import county rosters,
 print de-identified notices and household cards, compute notice periods
 on China's working-day calendar, keep photo evidence, sync with the county.
CONTROL
cat > "$STAGE/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q /usr/share/applications || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q /usr/share/icons/hicolor || true; fi
exit 0
POSTINST
chmod 755 "$STAGE/DEBIAN/postinst"
dpkg-deb --root-owner-group --build "$STAGE" "$BUILD/$PKG.deb" >/dev/null
ls -la "$BUILD/$PKG.deb" | awk '{printf "deb size: %.1f MB\n", $5/1048576}'

echo "== 4/5 install into a throwaway root"
FAKEROOT="$BUILD/fakeroot"
rm -rf "$FAKEROOT"
mkdir -p "$FAKEROOT/var/lib/dpkg/info" "$FAKEROOT/var/lib/dpkg/updates" "$FAKEROOT/usr/bin"
touch "$FAKEROOT/var/lib/dpkg/status"
dpkg --root="$FAKEROOT" --force-depends --force-script-chrootless -i "$BUILD/$PKG.deb" >/dev/null
dpkg --root="$FAKEROOT" -l zwgk-desktop | tail -1

echo "== 5/5 self-test from the installed package"
export QT_QPA_PLATFORM=offscreen
"$FAKEROOT/opt/zwgk-desktop/zwgk" self-test --json
START=$(date +%s.%N)
"$FAKEROOT/opt/zwgk-desktop/zwgk" --version >/dev/null
END=$(date +%s.%N)
echo "cold start (zwgk --version): $(echo "$END - $START" | bc 2>/dev/null || python3 -c "print(round($END-$START,2))") s"
echo "OK: $BUILD/$PKG.deb"
