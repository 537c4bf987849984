"""This laptop's device key and the signature over each observation it sends."""
