"""Offline map assets: which npm files Leaflet and its plugins need, where they live, how folium finds them.

folium and streamlit-folium load Leaflet and every plugin from public CDNs; with
no internet the map stays blank and nothing reports an error. The same files,
taken from the npm registry at set-up time (``scripts/fetch_static.sh``, i.e.
``python -m hotspots.maps.assets fetch``), live under ``static/vendor/<name>@<version>/``
and Streamlit serves them at ``/app/static/vendor/...``
(``[server] enableStaticServing = true``). They are third-party code: fetched,
never committed.

:func:`use_assets` points one map's elements at either copy by setting *instance*
attributes, so no folium class is changed and two sessions never interfere.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

import branca.element
import folium
import folium.plugins
from folium.elements import JSCSSMixin

from hotspots.config import PROJECT_ROOT
from hotspots.errors import HotspotsError

#: Where the fetched packages are unpacked (git-ignored).
VENDOR_DIR: Final = PROJECT_ROOT / "static" / "vendor"
#: URL of :data:`VENDOR_DIR` under Streamlit's static file serving.
STATIC_URL: Final = "/app/static/vendor"
#: The public CDN serving the same npm files, used when the local copy is missing.
CDN_URL: Final = "https://cdn.jsdelivr.net/npm"

_COMPLETE_MARKER: Final = ".complete"


@dataclass(frozen=True)
class NpmPackage:
    """One npm package and the part of it the map needs.

    Parameters
    ----------
    name
        npm name, possibly scoped (``@fortawesome/fontawesome-free``).
    version
        Exact version: the same as folium's CDN links, tested together.
    keep
        Paths (files or folders ending in ``/``) inside the package to unpack;
        images and fonts referenced by the CSS must be included.
    """

    name: str
    version: str
    keep: tuple[str, ...]

    @property
    def spec(self) -> str:
        """``name@version``, as given to ``npm pack`` and used as folder and URL segment."""
        return f"{self.name}@{self.version}"


@dataclass(frozen=True)
class Asset:
    """One JavaScript or CSS file of a package, under the name folium gives it."""

    name: str
    package: NpmPackage
    path: str


LEAFLET: Final = NpmPackage("leaflet", "1.9.3", ("dist/",))
MARKERCLUSTER: Final = NpmPackage("leaflet.markercluster", "1.1.0", ("dist/",))
AWESOME_MARKERS: Final = NpmPackage("leaflet.awesome-markers", "2.0.5", ("dist/",))
FONT_AWESOME: Final = NpmPackage("@fortawesome/fontawesome-free", "6.2.0", ("css/all.min.css", "webfonts/"))
HEAT: Final = NpmPackage("leaflet.heat", "0.2.0", ("dist/",))
FULLSCREEN: Final = NpmPackage(
    "leaflet.fullscreen", "3.0.0", ("Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg")
)
MEASURE: Final = NpmPackage("leaflet-measure", "2.1.7", ("dist/",))
LOCATE: Final = NpmPackage("leaflet.locatecontrol", "0.66.2", ("dist/",))
MINIMAP: Final = NpmPackage("leaflet-minimap", "3.6.1", ("dist/",))
#: Every package fetched by ``python -m hotspots.maps.assets fetch``.
PACKAGES: Final = (
    LEAFLET,
    MARKERCLUSTER,
    AWESOME_MARKERS,
    FONT_AWESOME,
    HEAT,
    FULLSCREEN,
    MEASURE,
    LOCATE,
    MINIMAP,
)

_MAP_JS: Final = (
    Asset("leaflet", LEAFLET, "dist/leaflet.js"),
    Asset("awesome_markers", AWESOME_MARKERS, "dist/leaflet.awesome-markers.min.js"),
)
# jQuery, Bootstrap and Glyphicons are left out on purpose: nothing on our maps
# uses them and they would be three more downloads that can fail.
_MAP_CSS: Final = (
    Asset("leaflet_css", LEAFLET, "dist/leaflet.css"),
    Asset("awesome_markers_font_css", FONT_AWESOME, "css/all.min.css"),
    Asset("awesome_markers_css", AWESOME_MARKERS, "dist/leaflet.awesome-markers.css"),
)
_CLUSTER: Final = (
    (Asset("markerclusterjs", MARKERCLUSTER, "dist/leaflet.markercluster.js"),),
    (
        Asset("markerclustercss", MARKERCLUSTER, "dist/MarkerCluster.css"),
        Asset("markerclusterdefaultcss", MARKERCLUSTER, "dist/MarkerCluster.Default.css"),
    ),
)
#: (JavaScript, CSS) of each folium element class that loads files; subclasses inherit.
ELEMENT_ASSETS: Final[dict[type, tuple[tuple[Asset, ...], tuple[Asset, ...]]]] = {
    folium.Map: (_MAP_JS, _MAP_CSS),
    folium.plugins.MarkerCluster: _CLUSTER,
    folium.plugins.HeatMap: ((Asset("leaflet-heat.js", HEAT, "dist/leaflet-heat.js"),), ()),
    folium.plugins.Fullscreen: (
        (Asset("Control.Fullscreen.js", FULLSCREEN, "Control.FullScreen.js"),),
        (Asset("Control.FullScreen.css", FULLSCREEN, "Control.FullScreen.css"),),
    ),
    folium.plugins.MeasureControl: (
        (Asset("leaflet_measure_js", MEASURE, "dist/leaflet-measure.min.js"),),
        (Asset("leaflet_measure_css", MEASURE, "dist/leaflet-measure.css"),),
    ),
    folium.plugins.LocateControl: (
        (Asset("Control_locate_min_js", LOCATE, "dist/L.Control.Locate.min.js"),),
        (Asset("Control_locate_min_css", LOCATE, "dist/L.Control.Locate.min.css"),),
    ),
    folium.plugins.MiniMap: (
        (Asset("Control_MiniMap_js", MINIMAP, "dist/Control.MiniMap.min.js"),),
        (Asset("Control_MiniMap_css", MINIMAP, "dist/Control.MiniMap.min.css"),),
    ),
}


def asset_url(asset: Asset, base_url: str | None) -> str:
    """Return the URL of one asset under ``base_url``, or on the CDN when it is ``None``."""
    return f"{(base_url or CDN_URL).rstrip('/')}/{asset.package.spec}/{asset.path}"


def leaflet_image_path(base_url: str | None) -> str:
    """Return the folder of Leaflet's default marker images, ending in ``/`` as Leaflet expects."""
    return asset_url(Asset("images", LEAFLET, "dist/images/"), base_url)


def local_base_url(vendor_dir: Path = VENDOR_DIR, *, url: str = STATIC_URL) -> str | None:
    """Return ``url`` when every asset is present under ``vendor_dir``, else ``None`` (use the CDN).

    A half-fetched folder counts as missing: one absent file blanks the whole map.
    """
    return url if not missing_files(vendor_dir) else None


def missing_files(vendor_dir: Path = VENDOR_DIR) -> list[Path]:
    """List the asset files not (yet) present under ``vendor_dir``."""
    paths = {vendor_dir / a.package.spec / a.path for js, css in ELEMENT_ASSETS.values() for a in (*js, *css)}
    return sorted(p for p in paths if not p.is_file())


def use_assets(root: branca.element.Element, *, base_url: str | None) -> None:
    """Point every element of a map at the local copy (``base_url``) or at the CDN (``None``).

    Sets ``default_js`` and ``default_css`` on the *instances* (folium and
    streamlit-folium read them from the instance), never on the classes.

    Raises
    ------
    HotspotsError
        If an element loads files this module does not know: it would fetch them
        from the internet behind the user's back.
    """
    for element in walk_elements(root):
        if not isinstance(element, JSCSSMixin):
            continue
        files = next((v for k, v in ELEMENT_ASSETS.items() if isinstance(element, k)), None)
        if files is None:
            if not element.default_js and not element.default_css:
                continue
            msg = (
                f"The map element {type(element).__name__} loads files that hotspots.maps.assets does not "
                "list; add them to ELEMENT_ASSETS so the map keeps working offline."
            )
            raise HotspotsError(msg)
        js, css = files
        element.default_js = [(a.name, asset_url(a, base_url)) for a in js]
        element.default_css = [(a.name, asset_url(a, base_url)) for a in css]


def fetch(
    vendor_dir: Path = VENDOR_DIR, *, npm: str = "npm", packages: Sequence[NpmPackage] = PACKAGES
) -> list[str]:
    """Download the packages from the npm registry and unpack what the map needs.

    Idempotent: a package already unpacked completely is skipped. Each package is
    unpacked in a temporary folder and moved into place, so an interrupted run
    never leaves a half-filled folder that looks complete.

    Parameters
    ----------
    vendor_dir
        Destination, by default ``static/vendor``.
    npm
        The npm executable.
    packages
        What to fetch; all of :data:`PACKAGES` by default.

    Returns
    -------
    list of str
        The ``name@version`` of each package fetched now (empty when all were present).

    Raises
    ------
    HotspotsError
        If npm is not installed or a package cannot be downloaded or lacks a file.
    """
    todo = [p for p in packages if not (vendor_dir / p.spec / _COMPLETE_MARKER).is_file()]
    if not todo:
        return []
    npm_path = shutil.which(npm)
    if npm_path is None:
        msg = f"'{npm}' was not found: install Node.js and npm (apt-get install npm) to fetch the map files."
        raise HotspotsError(msg)
    vendor_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=vendor_dir, prefix=".fetch-") as tmp:
        for package in todo:
            tarball = _npm_pack(npm_path, package, Path(tmp))
            staged = Path(tmp) / "unpacked" / package.spec
            _unpack(tarball, package, staged)
            _check_unpacked(package, staged)
            (staged / _COMPLETE_MARKER).write_text(package.spec + "\n", encoding="utf-8")
            target = vendor_dir / package.spec
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.rename(target)
    return [p.spec for p in todo]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m hotspots.maps.assets fetch|check [--vendor-dir DIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m hotspots.maps.assets", description=__doc__.splitlines()[0]
    )
    parser.add_argument("command", choices=("fetch", "check"))
    parser.add_argument("--vendor-dir", type=Path, default=VENDOR_DIR)
    args = parser.parse_args(argv)
    if args.command == "fetch":
        try:
            fetched = fetch(args.vendor_dir)
        except HotspotsError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"fetched {', '.join(fetched)}" if fetched else f"map libraries already in {args.vendor_dir}")
    missing = missing_files(args.vendor_dir)
    for path in missing:
        print(f"missing: {path}", file=sys.stderr)
    return 1 if missing else 0


def walk_elements(element: branca.element.Element) -> Iterator[branca.element.Element]:
    """Yield ``element`` and every element under it, parents before their children."""
    yield element
    for child in element._children.values():
        yield from walk_elements(child)


def _npm_pack(npm_path: str, package: NpmPackage, directory: Path) -> Path:
    result = subprocess.run(
        [npm_path, "pack", package.spec, "--silent", "--pack-destination", str(directory)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        msg = f"npm could not download {package.spec} from the registry: {result.stderr.strip()[-500:]}"
        raise HotspotsError(msg)
    return directory / lines[-1].strip()


def _unpack(tarball: Path, package: NpmPackage, destination: Path) -> None:
    with tarfile.open(tarball, "r:gz") as archive:
        members = []
        for member in archive.getmembers():
            parts = PurePosixPath(member.name).parts
            # npm tarballs put everything under one top folder, usually "package/".
            inner = "/".join(parts[1:])
            if member.isfile() and _wanted(inner, package.keep):
                member.name = inner
                members.append(member)
        destination.mkdir(parents=True, exist_ok=True)
        archive.extractall(destination, members=members, filter="data")


def _wanted(path: str, keep: tuple[str, ...]) -> bool:
    name = PurePosixPath(path).name
    if path == name and (name == "package.json" or name.upper().startswith("LICENSE")):
        return True
    return any(path.startswith(k) if k.endswith("/") else path == k for k in keep)


def _check_unpacked(package: NpmPackage, directory: Path) -> None:
    expected = {a.path for js, css in ELEMENT_ASSETS.values() for a in (*js, *css) if a.package == package}
    absent = sorted(p for p in expected if not (directory / p).is_file())
    if absent:
        msg = f"{package.spec} from npm lacks {', '.join(absent)}: was the version changed?"
        raise HotspotsError(msg)


if __name__ == "__main__":
    sys.exit(main())
