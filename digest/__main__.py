from digest.cli import entry

entry()
