"""Bump the data version when an event is edited one at a time (admin, API)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Event


@receiver(post_save, sender=Event)
@receiver(post_delete, sender=Event)
def _event_changed(sender, **kwargs):
    from .snapshot import bump

    bump()


@receiver(post_save, sender="records.Source")
def _source_created(sender, instance, created, raw=False, **kwargs):
    """A new source joins the standard measure of its kind (records.measures.attach_new_source)."""
    if created and not raw:
        from .measures import attach_new_source

        attach_new_source(instance)
