"""`python -m console ...` is `minicrm ...` (tests and benches run it so)."""
import sys

from console.main import main

sys.exit(main())
