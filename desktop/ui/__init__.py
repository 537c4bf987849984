"""The window: thin Qt widgets that call the core (inference, store, settings) and show its results."""
