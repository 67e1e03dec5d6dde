"""The built-in default theme, shipped in the wheel as digest.default_theme (data only)."""
