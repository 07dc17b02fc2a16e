#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.startup import run_manage

    run_manage(sys.argv)


if __name__ == "__main__":
    main()
