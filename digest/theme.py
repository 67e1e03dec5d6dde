"""Edge: locate theme folders, build the Jinja loader, read static assets.

Lookup order for a template: the site's ``themes/<theme>/templates/``, then the
built-in default theme (shipped in the wheel as ``digest.default_theme``).  A
site template can extend the built-in one explicitly as ``default/<name>``.
Static files merge the same way, the site's winning.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

import jinja2

from digest.errors import ConfigError, Diagnostic


def builtin_theme_dir() -> Path:
    """Folder of the built-in default theme (inside the installed package)."""
    return Path(str(resources.files("digest.default_theme")))


def theme_dirs(site_root: Path, theme: str) -> list[Path]:
    """Theme folders, most specific first.  Raises ConfigError for an unknown theme."""
    dirs = []
    themes = site_root / "themes"
    site_theme = themes / theme
    if (not theme or theme in (".", "..") or "/" in theme or "\\" in theme
            or theme.startswith((".", "~"))):
        raise ConfigError(Diagnostic(
            severity="error", code="theme-name", path="digest.yaml",
            message=f"theme {theme!r} must be the name of a folder in themes/",
            hint="write just the folder name, e.g. theme: mytheme"))
    if site_theme.is_dir() and not site_theme.resolve().is_relative_to(themes.resolve()):
        raise ConfigError(Diagnostic(
            severity="error", code="theme-outside", path="digest.yaml",
            message=f"themes/{theme} is a symlink leaving the themes/ folder; it was not read",
            hint=f"copy the theme into themes/{theme}/ instead of linking to it"))
    if site_theme.is_dir():
        dirs.append(site_theme)
    elif theme != "default":
        raise ConfigError(Diagnostic(
            severity="error", code="theme-missing", path="digest.yaml",
            message=f"theme '{theme}' not found: there is no folder themes/{theme}/",
            hint=f"create themes/{theme}/templates/, or remove `theme:` from digest.yaml "
                 "to use the built-in default theme"))
    builtin = builtin_theme_dir()
    if not dirs or dirs[0].resolve() != builtin.resolve():
        dirs.append(builtin)
    return dirs


class ContainedLoader(jinja2.FileSystemLoader):
    """FileSystemLoader that never follows a symlink out of its search folders.

    Jinja already refuses ``..`` in template names; this also refuses a
    ``templates/x.html`` that is a symlink to ``/etc/passwd`` (the template is
    then "not found", which the render stage reports with the search path).
    """

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename).resolve()
        if not any(real.is_relative_to(Path(base).resolve()) for base in self.searchpath):
            raise jinja2.TemplateNotFound(
                f"{template} (a symlink leaving the theme folder, not read)")
        return source, filename, uptodate


def make_loader(dirs: list[Path]) -> jinja2.BaseLoader:
    builtin = builtin_theme_dir() / "templates"
    return jinja2.ChoiceLoader([
        ContainedLoader([str(d / "templates") for d in dirs]),
        jinja2.PrefixLoader({"default": ContainedLoader(str(builtin))}),
    ])


def read_static(dirs: list[Path]) -> dict[str, bytes]:
    """Static assets as output path -> bytes (under ``static/``, plus ``favicon.ico``
    at the root when a theme has one); the site theme wins.

    Symlinks that leave the theme folder are skipped, so a theme cannot pull in
    files from elsewhere on the machine.
    """
    assets: dict[str, bytes] = {}
    for theme_dir in reversed(dirs):
        static = theme_dir / "static"
        if not static.is_dir():
            continue
        real = static.resolve()
        for path in sorted(static.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            if not path.resolve().is_relative_to(real):
                continue
            if path.suffix == ".py" or "__pycache__" in path.parts:
                continue
            assets["static/" + path.relative_to(static).as_posix()] = path.read_bytes()
    # Browsers and feed readers ask for /favicon.ico whatever a page links to:
    # a theme's static/favicon.ico is served from the site root as well, so a
    # static host answers it instead of logging a 404 for every first visit.
    if "static/favicon.ico" in assets:
        assets["favicon.ico"] = assets["static/favicon.ico"]
    return assets


def template_fingerprint(dirs: list[Path]) -> str:
    """Hash of every template and asset, for cache keys."""
    import hashlib

    digest = hashlib.sha256()
    for theme_dir in dirs:
        for path in sorted(theme_dir.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(theme_dir).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
