"""`python -m verify`: see `verify.cli`."""
from .cli import main

raise SystemExit(main())
