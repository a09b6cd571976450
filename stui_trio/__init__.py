"""stui_trio: a multi-client live-programming Smalltalk backend for STUI, on Trio and ZeroMQ.

See ARCHITECTURE in docs/ and the package's sub-packages, one per concern:
transport (ZeroMQ on Trio), protocol (messages, dialects, errors), sessions, storage (STON,
durable session files, image change log), smalltalk (the engine), tools (evaluate, inspect,
browse, complete), server (supervisor, client tasks, sweeper), client (library and console).
"""

__version__ = "0.1.0"
PROTOCOL_VERSION = 1
