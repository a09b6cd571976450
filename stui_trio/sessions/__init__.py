"""Sessions: the value (``model``), unguessable ids (``ids``), the store interface with an
in-memory implementation (``store``; the durable STON store plugs in behind the same
interface), and the manager that enforces ownership, limits and expiry (``manager``).
"""
