"""The server: wires transport, protocol, sessions (and later tools) under one root nursery.

- ``supervisor``       ``Server`` / ``serve``: root nursery, reader, routing, graceful stop
- ``client_task``      one task per client_id, in-order requests, crash -> restart
- ``dispatch``         run one request through the registry (shared by inline and queued)
- ``sweeper``          periodic session expiry and idle client task ending
- ``shutdown``         SIGINT/SIGTERM watcher and the shutdown order
- ``ratelimit``        token bucket per client
- ``stats``            request counters
- ``wire``             the seam onto ``stui_trio.transport``
- ``basic_commands``, ``session_commands``  the handlers of issue 3's commands
- ``testing_commands``    crash/sleep commands, registered only in test builds
"""
