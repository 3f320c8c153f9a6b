"""The server console: the `minicrm` command line and the SSH batch commands.

Nothing in this package imports Textual when it is imported: `minicrm user list`
must not pay for the TUI.  Only `minicrm run` and an interactive `minicrm session`
load it, inside the command.  Commands reach the data through the store's public
services only (tests/test_layers.py), and every failure ends as one line on
stderr with an exit code from console.exit_codes.
"""
