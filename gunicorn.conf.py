"""gunicorn's settings, read when it starts from the project folder (README "Deployment")."""

# The access and error logs mask private links and other keys in request paths.
logger_class = "smarketing.logs.GunicornLogger"
