"""The output: everything that puts a rendered site into ``output/``.

``digest build`` is ``publish(build(...))``: :mod:`~digest.output.publish`
prepares the target (the last build's record, a staging tree, the no-op
check) and publishes a build's result into it.  The other modules each do one
part of that:

- :mod:`~digest.output.write`: the staging tree swapped atomically over output/;
- :mod:`~digest.output.staging`: the tree a cold build fills while it renders;
- :mod:`~digest.output.spare`: the replaced tree kept to become the next staging tree;
- :mod:`~digest.output.placement`: where a new tree's folders go on disk;
- :mod:`~digest.output.record`: the record of what output/ holds (the last build);
- :mod:`~digest.output.lock`: one writer per site at a time.

They work on the rendered mapping (path -> bytes) and on the files of
output/, never on the site model: nothing here imports the sources, enrich,
model, render or pipeline stages (tests/test_architecture.py).
"""
