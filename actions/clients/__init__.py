"""Clients for the services the action server calls; the only code here that does network I/O."""
