"""Diagnostics as data, and the exceptions that carry them.

Every problem digest reports is a :class:`Diagnostic`: what went wrong, where
(file and line when there is one) and how to fix it.  Exceptions carry one or
more diagnostics so that a stage can report every problem it found in one run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One problem found in the sources, the config or a template."""

    severity: str  # "error" | "warning"
    code: str  # short stable id, e.g. "front-matter-yaml"
    message: str
    path: str | None = None  # relative to the site root, POSIX separators
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    hint: str | None = None  # how to fix it

    def format(self) -> str:
        """``path:line:col: severity: message`` plus an indented hint line."""
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        text = f"{where}{self.severity}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class DigestError(Exception):
    """Base class: a failure the user can fix. Carries diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic | str) -> None:
        if isinstance(diagnostics, str):
            diagnostics = Diagnostic(severity="error", code="error", message=diagnostics)
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class ConfigError(DigestError):
    """digest.yaml is invalid."""


class SourceError(DigestError):
    """A content file cannot be read as an article."""


class TemplateError(DigestError):
    """A theme template failed to load or render."""


class OutputCollisionError(DigestError):
    """Two sources would write the same output path."""


class OutputError(DigestError):
    """output/ cannot be written safely."""


class UsageError(DigestError):
    """A command-line argument is wrong (exit 2); the hint says how to write it."""


def source_error(
    path: str, message: str, *, line: int | None = None, column: int | None = None,
    hint: str | None = None, code: str = "source",
) -> SourceError:
    """Shorthand for a one-diagnostic :class:`SourceError`."""
    return SourceError(
        Diagnostic(severity="error", code=code, message=message, path=path,
                   line=line, column=column, hint=hint)
    )
