"""The command line: ``iris-field predict``, ``history``, ``self-test`` and the commands of their own."""
