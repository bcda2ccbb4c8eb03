"""The tests' task backend: run each task where it is enqueued, and fail loudly.

Django's immediate backend records a task's exception on its result and goes
on; here the exception fails the test that enqueued the task.
"""

from django_tasks import TaskResultStatus
from django_tasks.backends.immediate import ImmediateBackend


class FailingImmediateBackend(ImmediateBackend):
    def enqueue(self, task, args, kwargs):
        result = super().enqueue(task, args, kwargs)
        if result.status == TaskResultStatus.FAILED:
            raise AssertionError(f"task {task.name} failed:\n{result.errors[0].traceback}")
        return result
