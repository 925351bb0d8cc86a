"""The operator console (issue 5): sign-in, roles, and the server-rendered pages."""
