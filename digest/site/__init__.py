"""What the site is: records, settings, sources, enrichment, the page model,
rendering, and :mod:`digest.site.build`, the recipe that chains them.

Serial and pure: nothing here imports multiprocessing, gc, pickle, the build
cache (digest.engine) or the output tree (digest.output); tests/test_architecture.py
enforces it.  How the recipe runs fast is the engine's business.
"""
