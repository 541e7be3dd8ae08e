"""``python -m flaskwarden``: the same command line as the ``flaskwarden`` script."""

from flaskwarden.cli import main

main()
