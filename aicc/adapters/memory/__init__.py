"""In-memory adapters: the ports' semantics without a network, for unit tests and tools.

Each adapter states the DynamoDB behaviour it reproduces (a conditional write that fails leaves
the state unchanged, a write returns what it replaced, an expired item reads as absent), and the
port's contract suite checks the two adapters agree.
"""
