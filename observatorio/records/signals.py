"""Bump the data version when an event is edited one at a time (admin, API)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Event


@receiver(post_save, sender=Event)
@receiver(post_delete, sender=Event)
def _event_changed(sender, **kwargs):
    from .snapshot import bump

    bump()
