"""The embedded stack's AWS: moto's server, patched through one registry, in a child process.

- `registry`: what a patch is (targets, verified moto versions, kind), applying and undoing them;
- `patches`: the patches, one module per service (dynamodb, events, sqs, core routing, http server);
- `server`: the patched moto server with the event-source mappings (`python -m aicc.embedded.moto.server`);
- `process`: starting and stopping that server as a child of the stack.

Importing this package imports no moto: the stack only needs `process`.
"""
