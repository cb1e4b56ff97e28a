from __future__ import annotations

from django.db import models


class ScheduledJob(models.Model):
    """When a scheduled task (outcry.jobs.scheduling) may next be enqueued; the row is the cross-worker lock."""

    name = models.CharField(max_length=200, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Created by the delivery app before the jobs app existed; the table kept its name.
        db_table = "delivery_scheduledjob"

    def __str__(self) -> str:
        return self.name
