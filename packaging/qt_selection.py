"""Which Qt plugins and translations go into the bundle: shared by pluk.spec (a final filter)
and hooks/hook-PySide6.QtGui.py (which filters before PyInstaller analyses the plugins' own
library dependencies, so a dropped plugin does not leave its libraries behind)."""

from __future__ import annotations

# Plugin folders (PySide6/Qt/plugins/<type>) Pluk cannot use: no network, no QML, no printing,
# no SQL, no EGL-fullscreen devices, no evdev/tuio input.
PLUGIN_DROP = {"networkinformation", "tls", "qmltooling", "sqldrivers", "printsupport",
               "designer", "egldeviceintegrations", "generic",
               "wayland-graphics-integration-server", "vectorimageformats"}
# Within these folders only the listed plugins (file names start with these) are kept.
PLUGIN_KEEP = {
    # Desktop sessions (X11, Wayland) and the headless ones (offscreen, minimal) for tests and
    # CI; no framebuffer/EGLFS/VNC/Vulkan-display kiosks (VNC alone pulls in QtNetwork).
    "platforms": ("libqxcb.", "libqwayland.", "libqoffscreen.", "libqminimal.",
                  "qwindows.", "qoffscreen.", "qminimal.", "libqcocoa."),
    # The XDG portal (native file dialogs through D-Bus, also in Flatpak/Snap sessions); the
    # GTK3 theme needs the system's GTK and would drag cairo, pango & co. into the bundle.
    "platformthemes": ("libqxdgdesktopportal.",),
    # Image formats the GUI may show (icons); the rest (tiff, webp, icns, ...) go.
    "imageformats": ("libqsvg.", "libqico.", "libqjpeg.", "libqgif.",
                     "qsvg.", "qico.", "qjpeg.", "qgif."),
}
# Qt's own translations: Dutch and English only (the app's languages).
TRANSLATIONS_KEEP = ("qtbase_nl.qm", "qtbase_en.qm")


def keep(dest: str) -> bool:
    """`dest`: a file's path inside the bundle (folder + name), / or \\ separated."""
    dest = dest.replace("\\", "/")
    if not dest.startswith("PySide6/"):
        return True
    name = dest.rsplit("/", 1)[-1]
    if "/plugins/" in dest:  # Linux/macOS PySide6/Qt/plugins/..., Windows PySide6/plugins/...
        kind = dest.split("/plugins/", 1)[1].split("/")[0]
        if kind in PLUGIN_DROP:
            return False
        if kind in PLUGIN_KEEP and not name.startswith(PLUGIN_KEEP[kind]):
            return False
    if "/translations/" in dest and name.endswith(".qm"):
        return name in TRANSLATIONS_KEEP
    return "/qml/" not in dest
