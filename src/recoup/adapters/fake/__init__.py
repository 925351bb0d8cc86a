"""Working in-memory (or database-backed) fakes of every outside system."""
