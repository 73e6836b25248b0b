"""The shell of Lotse: configuration, wiring, sending, scheduling and the command line."""
