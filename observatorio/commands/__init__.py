"""One module per top-level CLI command, each with ``register(subparsers)``.

Each module's handler parses options, calls the core function and turns a
domain error (``ValueError``) into a one-line message and exit code 2.
"""
