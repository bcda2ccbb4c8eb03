"""The password hasher: Argon2id with parameters for a small server."""

from django.contrib.auth import hashers


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Argon2id with OWASP's first recommended parameters: one pass over 46 MiB, one lane.

    Django's own (two passes over 100 MiB in 8 lanes) wait on each other on a two-core server
    that is busy, and then take longer than PBKDF2 did; one lane over 46 MiB is as costly to
    guess on graphics cards and takes a fraction of the time. Hashes made with other parameters
    are rehashed at the next login.
    """

    time_cost = 1
    memory_cost = 46 * 1024
    parallelism = 1
