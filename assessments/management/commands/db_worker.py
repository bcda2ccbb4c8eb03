"""The task worker: django-tasks-db's, with leases, retries and a recovery pass.

django-tasks-db claims a task by marking it RUNNING and never looks at it
again: a worker killed mid-task (a deploy, the out-of-memory killer) leaves it
running for ever, and a failed task is never tried again. This worker adds:

- a lease: a task RUNNING for longer than TASK_LEASE_SECONDS goes back in the
  queue (its worker died; every task is safe to run twice);
- retries: a task that fails for a transient reason (smarketing.faults) runs
  again after 15 s, 30 s, 1, 2, then every 4 minutes, for TASK_RETRY_HOURS;
- a recovery pass every TASK_RECOVERY_SECONDS (tasks.recover): rounds, exports
  and e-mails whose task was lost are queued again;
- a database that goes away (a restart) is waited for, not fatal.

Same name and options as django-tasks-db's command, which this one replaces
(assessments comes before django_tasks_db in INSTALLED_APPS).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from assessments import tasks
from smarketing import faults

logger = logging.getLogger("assessments.worker")


def release_expired_leases(now=None):
    """Put back in the queue the tasks whose worker stopped answering; return how many."""
    now = now or timezone.now()
    expired = now - timedelta(seconds=settings.TASK_LEASE_SECONDS)
    released = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=expired
    ).update(status=TaskResultStatus.READY, run_after=now)
    if released:
        logger.warning("Queued again %s task(s) whose worker died (lease expired)", released)
    return released


def maintain(now=None):
    """The worker's periodic pass: expired leases first, then lost work (tasks.recover)."""
    release_expired_leases(now)
    tasks.recover(now)


class Worker(db_worker.Worker):
    def run(self):
        logger.info("Starting worker worker_id=%s", self.worker_id)
        next_pass = 0.0
        while self.running:
            close_old_connections()
            try:
                if time.monotonic() >= next_pass:
                    next_pass = time.monotonic() + settings.TASK_RECOVERY_SECONDS
                    try:
                        maintain()
                    except DatabaseError:
                        raise
                    except Exception:
                        # A fault in the recovery pass must not stop the tasks.
                        logger.exception("The recovery pass failed; trying again next time")
                task_result, looked = self.claim()
            except DatabaseError:
                # The database restarts or is unreachable: wait for it, then go on.
                logger.warning("The database does not answer; trying again shortly", exc_info=True)
                connection.close()
                task_result, looked = None, False
                time.sleep(max(self.interval, 1))
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and looked and task_result is None:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    def claim(self):
        """Claim the next ready task; return it (or None) and whether the queue was read."""
        queued = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            queued = queued.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            queued = queued.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(queued.db):
                task_result = queued.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except DatabaseError as exc:
            if is_locked_database_exception(exc):
                return None, False
            raise
        return task_result, True

    def run_task(self, db_task_result):
        """Run the task; a transient failure puts it back in the queue with a delay."""
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            return_value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(return_value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except Exception as exc:
            if not self.retry_later(db_task_result, exc):
                db_task_result.set_failed(exc)
                logger.exception("Task %s failed", db_task_result.task_path)
        except BaseException as exc:  # KeyboardInterrupt, SystemExit: stopped, try again later
            self.retry_later(db_task_result, exc, force=True)
            raise
        finally:
            self.running_task = False
            self._run_tasks += 1

    def retry_later(self, db_task_result, exc, force=False):
        """Queue the task again after faults.retry_delay if EXC is transient; False if not."""
        now = timezone.now()
        horizon = db_task_result.enqueued_at + timedelta(hours=settings.TASK_RETRY_HOURS)
        if not force and not (faults.is_transient(exc) and now < horizon):
            return False
        attempts = len(db_task_result.worker_ids)
        delay = 0 if force else faults.retry_delay(attempts)
        try:
            DBTaskResult.objects.filter(pk=db_task_result.pk).update(
                status=TaskResultStatus.READY,
                run_after=now + timedelta(seconds=delay),
                exception_class_path=f"{type(exc).__module__}.{type(exc).__qualname__}",
                traceback=faults.describe(exc),
            )
        except DatabaseError:
            # The database itself is away: the lease brings the task back.
            logger.warning("Could not queue %s again; its lease will", db_task_result.task_path)
            return True
        logger.warning(
            "Task %s failed (%s), attempt %s; trying again in %s s",
            db_task_result.task_path,
            faults.describe(exc),
            attempts,
            delay,
        )
        return True


class Command(db_worker.Command):
    help = "Run the task worker: leases, retries with backoff, and recovery of lost work."

    def handle(self, *args, **options):
        # django-tasks-db's handle() builds its module's Worker: this one, for the run.
        original = db_worker.Worker
        db_worker.Worker = Worker
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
