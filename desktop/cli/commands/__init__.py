"""The command line's front ends for the sync and the model store: arguments, progress and English words.

``desktop/cli/main.py`` registers them; the core packages they drive
(``desktop/sync``, ``desktop/model_delivery``)
report kinds and facts and print nothing themselves.
"""
