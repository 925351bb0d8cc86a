"""Stand-ins for the vendors' APIs on loopback, for contract and end-to-end tests."""
