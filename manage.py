#!/usr/bin/env python
"""Django's command-line utility; `stepwell` is the same with our verbs."""

from stepwell.core.cli import main

if __name__ == "__main__":
    main()
