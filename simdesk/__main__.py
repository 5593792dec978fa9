"""``python -m simdesk``: the ``simdesk`` command."""

from simdesk.cli import console_main

if __name__ == "__main__":
    console_main()
