"""Project-wide abstract models."""

from django.db import models


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class RateLimitCounter(models.Model):
    """Hits of one key in one fixed window, for the database rate limiter (no Redis)."""

    key = models.CharField(max_length=150)
    window = models.BigIntegerField()  # epoch seconds // window length
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window"], name="one_counter_per_window"
            )
        ]
        indexes = [models.Index(fields=["window"], name="rate_limit_window")]

    def __str__(self) -> str:
        return f"{self.key}@{self.window}: {self.count}"
