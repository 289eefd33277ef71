"""`python3 -m seed_lab_host [jupyter_server options]` starts the host (with lab/ on PYTHONPATH)."""

from .app import main

main()
