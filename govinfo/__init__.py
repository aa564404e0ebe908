"""govinfo command line (see govinfo.cli)."""
