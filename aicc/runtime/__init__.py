"""Shared plumbing for every handler: AWS clients, publishing, batch handling, turn store."""
