"""Helpers the tests share: recording fakes of the backend and runner seams, and the fake
vendor that builds signed client packages. Importable as ``support`` (pytest's
``pythonpath`` has ``tests``), so no test edits ``sys.path``."""
