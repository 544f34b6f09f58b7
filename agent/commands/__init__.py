"""One module per CLI command; each exposes `register(subparsers)` setting `func(args, settings) -> int`."""
