"""Red-team attacks on issue 10: each test asserts a promise; a failing one is a working attack."""
